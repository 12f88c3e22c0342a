// The one change a link makes: `nightshift:snooze-until` on the named resources that are
// still on the link's schedule, and on nothing else.
import {
  type AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { SCHEDULE_KEY, SNOOZE_UNTIL_KEY, type Tag, tagValue } from '@nightshift/conventions';
import { parseResource, type ResourceKind, type ResourceRef, resourceName } from './resources.ts';

/** The clients of the resources a link can name. */
export interface SnoozeClients {
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
  rds: RDSClient;
}

/** A resource as read: what the tag write needs (the ARN of a database) and its tags. */
export interface FoundResource extends ResourceRef {
  /** The ARN RDS tags by; the id for the others. */
  arn: string;
  tags: Tag[];
}

/** A resource not touched, and why. */
export interface LeftAlone {
  name: string;
  reason: string;
}

/** What a used link did to each resource it names. */
export interface SnoozeResult {
  kept: string[];
  leftAlone: LeftAlone[];
  failed: { name: string; error: Error }[];
}

type Tags = { Key?: string | undefined; Value?: string | undefined }[] | undefined;
const tagsOf = (tags: Tags): Tag[] =>
  (tags ?? []).flatMap(({ Key, Value }) =>
    Key === undefined ? [] : [{ Key, Value: Value ?? '' }],
  );

/** A resource as read, or nothing when AWS's answer lacks its id or ARN (never an empty id). */
const foundAs = (
  kind: ResourceKind,
  id: string | undefined,
  arn: string | undefined,
  tags: Tags,
): FoundResource[] => (id && arn ? [{ kind, id, arn, tags: tagsOf(tags) }] : []);

const idsOf = (refs: readonly ResourceRef[], kind: ResourceKind): string[] =>
  refs.filter((ref) => ref.kind === kind).map((ref) => ref.id);

/**
 * Reads the named resources that exist, with their tags: instances (not terminated) by an
 * `instance-id` filter, groups by name, DB instances and clusters by an id filter, so that
 * an id that no longer exists is simply not found.
 *
 * @example
 * await readResources(clients, [{ kind: 'instance', id: 'i-0abc' }]);
 */
export const readResources = async (
  { ec2, autoScaling, rds }: SnoozeClients,
  refs: readonly ResourceRef[],
): Promise<FoundResource[]> => {
  const instances = idsOf(refs, 'instance');
  const groups = idsOf(refs, 'group');
  const dbInstances = idsOf(refs, 'db-instance');
  const dbClusters = idsOf(refs, 'db-cluster');
  const [ec2Found, groupsFound, dbInstancesFound, dbClustersFound] = await Promise.all([
    instances.length === 0
      ? []
      : ec2
          .send(
            new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: instances }] }),
          )
          .then((out) =>
            (out.Reservations ?? [])
              .flatMap((reservation) => reservation.Instances ?? [])
              .filter(
                (instance) => !['shutting-down', 'terminated'].includes(instance.State?.Name ?? ''),
              )
              .flatMap((instance) =>
                foundAs('instance', instance.InstanceId, instance.InstanceId, instance.Tags),
              ),
          ),
    groups.length === 0
      ? []
      : autoScaling
          .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups }))
          .then((out) =>
            (out.AutoScalingGroups ?? []).flatMap((group) =>
              foundAs('group', group.AutoScalingGroupName, group.AutoScalingGroupName, group.Tags),
            ),
          ),
    dbInstances.length === 0
      ? []
      : rds
          .send(
            new DescribeDBInstancesCommand({
              Filters: [{ Name: 'db-instance-id', Values: dbInstances }],
            }),
          )
          .then((out) =>
            (out.DBInstances ?? []).flatMap((db) =>
              foundAs('db-instance', db.DBInstanceIdentifier, db.DBInstanceArn, db.TagList),
            ),
          ),
    dbClusters.length === 0
      ? []
      : rds
          .send(
            new DescribeDBClustersCommand({
              Filters: [{ Name: 'db-cluster-id', Values: dbClusters }],
            }),
          )
          .then((out) =>
            (out.DBClusters ?? []).flatMap((db) =>
              foundAs('db-cluster', db.DBClusterIdentifier, db.DBClusterArn, db.TagList),
            ),
          ),
  ]);
  return [...ec2Found, ...groupsFound, ...dbInstancesFound, ...dbClustersFound];
};

/**
 * Which of the named resources a link may keep running: those found that carry
 * `nightshift:schedule=<schedule>` and no snooze later than `until` (a link only ever
 * postpones; one until the same time is written again). The others are left alone, each with its reason.
 *
 * @example
 * selectSnoozed(['instance:i-0abc'], found, 'office-hours', until);
 */
export const selectSnoozed = (
  names: readonly string[],
  found: readonly FoundResource[],
  schedule: string,
  until: string,
): { keep: FoundResource[]; leftAlone: LeftAlone[] } => {
  const byName = new Map(found.map((resource) => [resourceName(resource), resource]));
  const keep: FoundResource[] = [];
  const leftAlone: LeftAlone[] = [];
  for (const name of names) {
    const ref = parseResource(name);
    const resource = ref ? byName.get(resourceName(ref)) : undefined;
    if (!ref) leftAlone.push({ name, reason: 'not a resource a schedule names' });
    else if (!resource) leftAlone.push({ name, reason: 'not found' });
    else if (tagValue(resource.tags, SCHEDULE_KEY) !== schedule)
      leftAlone.push({ name, reason: `not on schedule ${schedule}` });
    else {
      const current = Date.parse(tagValue(resource.tags, SNOOZE_UNTIL_KEY) ?? '');
      // The same time again is kept: a use killed after its tags and done once more ends
      // as one use did, note included.
      if (!Number.isNaN(current) && current > Date.parse(until))
        leftAlone.push({ name, reason: 'already kept running until later' });
      else keep.push(resource);
    }
  }
  return { keep, leftAlone };
};

/** Writes `nightshift:snooze-until=<until>` on resources of one kind; nothing else. */
const tagKind = async (
  { ec2, autoScaling, rds }: SnoozeClients,
  kind: ResourceKind,
  resources: readonly FoundResource[],
  until: string,
): Promise<void> => {
  const tag = { Key: SNOOZE_UNTIL_KEY, Value: until };
  if (kind === 'instance') {
    await ec2.send(new CreateTagsCommand({ Resources: resources.map((r) => r.id), Tags: [tag] }));
  } else if (kind === 'group') {
    await autoScaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: resources.map((r) => ({
          ResourceId: r.id,
          ResourceType: 'auto-scaling-group',
          PropagateAtLaunch: false,
          ...tag,
        })),
      }),
    );
  } else {
    await Promise.all(
      resources.map((r) =>
        rds.send(new AddTagsToResourceCommand({ ResourceName: r.arn, Tags: [tag] })),
      ),
    );
  }
};

/**
 * Reads the resources a link names, keeps those on its schedule running until `until` by
 * setting `nightshift:snooze-until` (one call per kind; RDS one per database), and says
 * what was kept, left alone and could not be tagged.
 *
 * @example
 * await snooze(clients, { schedule: 'office-hours', resources: ['instance:i-0abc'], until });
 */
export const snooze = async (
  clients: SnoozeClients,
  { schedule, resources, until }: { schedule: string; resources: readonly string[]; until: string },
): Promise<SnoozeResult> => {
  const refs = resources.flatMap((name) => parseResource(name) ?? []);
  const found = await readResources(clients, refs);
  const { keep, leftAlone } = selectSnoozed(resources, found, schedule, until);
  const kinds = [...new Set(keep.map((resource) => resource.kind))];
  const errors = new Map<ResourceKind, Error>();
  await Promise.all(
    kinds.map(async (kind) => {
      try {
        await tagKind(
          clients,
          kind,
          keep.filter((resource) => resource.kind === kind),
          until,
        );
      } catch (error) {
        errors.set(kind, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  // In the link's order, each resource kept or failed with its kind's error.
  const result: SnoozeResult = { kept: [], leftAlone, failed: [] };
  for (const resource of keep) {
    const error = errors.get(resource.kind);
    if (error) result.failed.push({ name: resourceName(resource), error });
    else result.kept.push(resourceName(resource));
  }
  return result;
};
