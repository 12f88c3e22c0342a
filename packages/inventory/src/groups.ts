import {
  type AutoScalingClient,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import type { Tag } from '@nightshift/conventions';
import { tagFilters } from './tagFilters.ts';

/** The sizes of an Auto Scaling group. */
export interface GroupSize {
  min: number;
  max: number;
  desired: number;
}

/** An Auto Scaling group as Nightshift sees it. */
export interface ScalingGroup {
  /** The group's name; never empty. */
  name: string;
  size: GroupSize;
  tags: Tag[];
  /** The instance types of its instances now, one per instance (those with a type). */
  instanceTypes: string[];
}

/**
 * Every Auto Scaling group tagged `key=value` (a `null` value: any value of the key), all
 * pages, with the instance types of its instances (one per instance that has a type); a
 * group without a name or without its sizes is left out.
 *
 * @example
 * await listGroups(autoscaling, { key: 'Environment', value: 'staging' });
 * await listGroups(autoscaling, { key: 'nightshift:schedule', value: null });
 */
export const listGroups = async (
  client: AutoScalingClient,
  { key, value }: { key: string; value: string | null },
): Promise<ScalingGroup[]> => {
  const groups: ScalingGroup[] = [];
  const pages = paginateDescribeAutoScalingGroups(
    { client, pageSize: 100 },
    { Filters: tagFilters({ [key]: value }) },
  );
  for await (const page of pages) {
    for (const group of page.AutoScalingGroups ?? []) {
      const {
        AutoScalingGroupName: name,
        MinSize: min,
        MaxSize: max,
        DesiredCapacity: desired,
      } = group;
      // Without its sizes a group could be saved as zeros and "restored" to nothing.
      if (!name || min === undefined || max === undefined || desired === undefined) continue;
      groups.push({
        name,
        size: { min, max, desired },
        tags: group.Tags ?? [],
        instanceTypes: (group.Instances ?? []).flatMap(({ InstanceType }) =>
          InstanceType ? [InstanceType] : [],
        ),
      });
    }
  }
  return groups;
};
