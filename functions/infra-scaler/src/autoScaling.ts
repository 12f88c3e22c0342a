import {
  type AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { SAVED_SIZE_KEY } from '@nightshift/conventions';
import type { GroupSize } from '@nightshift/inventory';
import { encodeSize } from './marks.ts';

/**
 * Saves a group's sizes in its tag (unless they are saved already: a second scale_down
 * must not overwrite them with zeros), then sets min and desired to 0.
 *
 * @example
 * await saveAndEmpty(autoscaling, 'web', { min: 2, max: 5, desired: 3 }, false);
 */
export const saveAndEmpty = async (
  client: AutoScalingClient,
  name: string,
  size: GroupSize,
  alreadySaved: boolean,
): Promise<void> => {
  if (!alreadySaved) {
    await client.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          {
            ResourceId: name,
            ResourceType: 'auto-scaling-group',
            Key: SAVED_SIZE_KEY,
            Value: encodeSize(size),
            PropagateAtLaunch: false,
          },
        ],
      }),
    );
  }
  await client.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 0,
      DesiredCapacity: 0,
    }),
  );
};

/**
 * Gives a group its saved sizes back, then removes the saved-size tag.
 *
 * @example
 * await restoreSize(autoscaling, 'web', { min: 2, max: 5, desired: 3 });
 */
export const restoreSize = async (
  client: AutoScalingClient,
  name: string,
  size: GroupSize,
): Promise<void> => {
  await client.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: size.min,
      MaxSize: size.max,
      DesiredCapacity: size.desired,
    }),
  );
  await client.send(
    new DeleteTagsCommand({
      Tags: [{ ResourceId: name, ResourceType: 'auto-scaling-group', Key: SAVED_SIZE_KEY }],
    }),
  );
};
