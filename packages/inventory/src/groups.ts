import {
  type AutoScalingClient,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import type { Tag } from '@nightshift/conventions';

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
}

/**
 * Every Auto Scaling group tagged `key=value`, all pages; groups without a name are left out.
 *
 * @example
 * await listGroups(autoscaling, { key: 'Environment', value: 'staging' });
 */
export const listGroups = async (
  client: AutoScalingClient,
  { key, value }: { key: string; value: string },
): Promise<ScalingGroup[]> => {
  const groups: ScalingGroup[] = [];
  const pages = paginateDescribeAutoScalingGroups(
    { client, pageSize: 100 },
    { Filters: [{ Name: `tag:${key}`, Values: [value] }] },
  );
  for await (const page of pages) {
    for (const group of page.AutoScalingGroups ?? []) {
      if (!group.AutoScalingGroupName) continue;
      groups.push({
        name: group.AutoScalingGroupName,
        size: {
          min: group.MinSize ?? 0,
          max: group.MaxSize ?? 0,
          desired: group.DesiredCapacity ?? 0,
        },
        tags: group.Tags ?? [],
      });
    }
  }
  return groups;
};
