import { type EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { GROUP_NAME_KEY, type Tag, tagValue } from '@nightshift/conventions';
import { tagFilters } from './tagFilters.ts';

/** An EC2 instance as Nightshift sees it. */
export interface Ec2Instance {
  /** `i-0abc…`; never empty. */
  id: string;
  /** `running`, `stopped`, … (`unknown` when EC2 did not say). */
  state: string;
  instanceType?: string;
  tags: Tag[];
  /** The Auto Scaling group it belongs to, if any: such an instance is handled through it. */
  groupName?: string;
}

/**
 * Every instance matching the tag filters (a `null` value matches any value of the key) in
 * one of `states`, all pages; instances without an id are left out.
 *
 * @example
 * await listInstances(ec2, { tags: { Environment: 'staging', AutoScale: 'true' }, states: ['running'] });
 */
export const listInstances = async (
  ec2: EC2Client,
  { tags, states }: { tags: Record<string, string | null>; states: readonly string[] },
): Promise<Ec2Instance[]> => {
  const instances: Ec2Instance[] = [];
  const pages = paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    { Filters: [...tagFilters(tags), { Name: 'instance-state-name', Values: [...states] }] },
  );
  for await (const page of pages) {
    for (const reservation of page.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        if (!instance.InstanceId) continue;
        const groupName = tagValue(instance.Tags, GROUP_NAME_KEY);
        instances.push({
          id: instance.InstanceId,
          state: instance.State?.Name ?? 'unknown',
          ...(instance.InstanceType ? { instanceType: instance.InstanceType } : {}),
          tags: instance.Tags ?? [],
          ...(groupName ? { groupName } : {}),
        });
      }
    }
  }
  return instances;
};
