import { type EC2Client, RunInstancesCommand, type Tag } from '@aws-sdk/client-ec2';

/** `{ Environment: 'staging' }` as EC2's tag list. */
export const toTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/**
 * Launches one small instance with the given tags in the emulated account and returns its id.
 *
 * @example
 * const id = await launchInstance(ec2, { Environment: 'staging', AutoScale: 'true' });
 */
export const launchInstance = async (
  ec2: EC2Client,
  tags: Record<string, string>,
): Promise<string> => {
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.micro',
      TagSpecifications: [{ ResourceType: 'instance', Tags: toTags(tags) }],
    }),
  );
  return Instances[0]?.InstanceId ?? '';
};
