import {
  CreateTagsCommand,
  DeleteTagsCommand,
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { type ChunkOutcome, inChunks } from './chunks.ts';
import { SCALED_DOWN_KEY } from './marks.ts';

/** EC2 takes up to 1000 ids per call; smaller chunks keep one failure's blast radius small. */
const CHUNK = 50;

/**
 * Every instance matching the tag filters (`{ Environment: 'staging' }`; a `null` value
 * matches any value of the key) in one of `states`, all pages.
 *
 * @example
 * await listInstances(ec2, { Environment: 'staging', AutoScale: 'true' }, ['running']);
 */
export const listInstances = async (
  ec2: EC2Client,
  tags: Record<string, string | null>,
  states: string[],
): Promise<Instance[]> => {
  const instances: Instance[] = [];
  const filters = [
    ...Object.entries(tags).map(([key, value]) =>
      value === null ? { Name: 'tag-key', Values: [key] } : { Name: `tag:${key}`, Values: [value] },
    ),
    { Name: 'instance-state-name', Values: states },
  ];
  for await (const page of paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    { Filters: filters },
  )) {
    for (const reservation of page.Reservations ?? [])
      instances.push(...(reservation.Instances ?? []));
  }
  return instances;
};

/**
 * Marks instances as stopped by scale_down (tag first: an instance stopped without its
 * mark would never be started again), then stops the marked ones; a failed stop has its
 * mark taken back. Returns which ids were stopped and which failed, and why.
 *
 * @example
 * await stopAndMark(ec2, ['i-1', 'i-2'], new Date());
 */
export const stopAndMark = async (
  ec2: EC2Client,
  ids: string[],
  now: Date,
): Promise<ChunkOutcome> => {
  const marked = await inChunks(ids, CHUNK, (chunk) =>
    ec2.send(
      new CreateTagsCommand({
        Resources: chunk,
        Tags: [{ Key: SCALED_DOWN_KEY, Value: now.toISOString() }],
      }),
    ),
  );
  const stopped = await inChunks(marked.succeeded, CHUNK, (chunk) =>
    ec2.send(new StopInstancesCommand({ InstanceIds: chunk })),
  );
  if (stopped.failed.length > 0) {
    await unmark(
      ec2,
      stopped.failed.map(({ id }) => id),
    ).catch(() => undefined);
  }
  return { succeeded: stopped.succeeded, failed: [...marked.failed, ...stopped.failed] };
};

/**
 * Starts instances, in chunks (a failing id fails alone).
 *
 * @example
 * await startInstances(ec2, ['i-1']);
 */
export const startInstances = (ec2: EC2Client, ids: string[]): Promise<ChunkOutcome> =>
  inChunks(ids, CHUNK, (chunk) => ec2.send(new StartInstancesCommand({ InstanceIds: chunk })));

/**
 * Takes scale_down's mark off instances.
 *
 * @example
 * await unmark(ec2, ['i-1']);
 */
export const unmark = (ec2: EC2Client, ids: string[]): Promise<ChunkOutcome> =>
  inChunks(ids, CHUNK, (chunk) =>
    ec2.send(new DeleteTagsCommand({ Resources: chunk, Tags: [{ Key: SCALED_DOWN_KEY }] })),
  );
