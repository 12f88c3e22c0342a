import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { restoreSize, saveAndEmpty } from '../src/autoScaling.ts';
import { asgMock, awsError, sentNames } from './fixtures.ts';

const autoscaling = new AutoScalingClient({});
const size = { min: 2, max: 5, desired: 3 };

describe('saveAndEmpty', () => {
  it('saves the sizes in the group’s tag first, then sets min and desired to 0', async () => {
    // Act
    await saveAndEmpty(autoscaling, 'web', size, false);

    // Assess
    expect(sentNames(asgMock)).toEqual([
      'CreateOrUpdateTagsCommand',
      'UpdateAutoScalingGroupCommand',
    ]);
    expect(asgMock).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: [
        {
          ResourceId: 'web',
          ResourceType: 'auto-scaling-group',
          Key: 'nightshift:saved-size',
          Value: 'min=2,max=5,desired=3',
          PropagateAtLaunch: false,
        },
      ],
    });
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'web',
      MinSize: 0,
      DesiredCapacity: 0,
    });
  });

  it('keeps sizes saved already: it only empties the group', async () => {
    // Act
    await saveAndEmpty(autoscaling, 'web', { min: 1, max: 5, desired: 1 }, true);

    // Assess
    expect(sentNames(asgMock)).toEqual(['UpdateAutoScalingGroupCommand']);
  });

  it('never empties a group whose sizes it could not save', async () => {
    // Prepare
    asgMock.on(CreateOrUpdateTagsCommand).rejects(awsError('AccessDenied', 'no'));

    // Act
    const error = await saveAndEmpty(autoscaling, 'web', size, false).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(asgMock).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });
});

describe('restoreSize', () => {
  it('gives the group its sizes back, then removes the saved-size tag', async () => {
    // Act
    await restoreSize(autoscaling, 'web', size);

    // Assess
    expect(sentNames(asgMock)).toEqual(['UpdateAutoScalingGroupCommand', 'DeleteTagsCommand']);
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'web',
      MinSize: 2,
      MaxSize: 5,
      DesiredCapacity: 3,
    });
    expect(asgMock).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Tags: [
        { ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'nightshift:saved-size' },
      ],
    });
  });

  it('keeps the tag of a group it could not restore', async () => {
    // Prepare
    asgMock.on(UpdateAutoScalingGroupCommand).rejects(awsError('AccessDenied', 'no'));

    // Act
    const error = await restoreSize(autoscaling, 'web', size).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(asgMock).not.toHaveReceivedCommand(DeleteTagsCommand);
  });
});
