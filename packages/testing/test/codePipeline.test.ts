import { describe, expect, it } from 'vitest';
import { eventBridgeTwin, notificationOf } from '../src/codePipeline.ts';

const notification = {
  account: '123456789012',
  detailType: 'CodePipeline Pipeline Execution State Change',
  region: 'eu-west-1',
  source: 'aws.codepipeline',
  time: '2026-11-28T03:00:00Z',
  resources: ['arn:aws:codepipeline:eu-west-1:123456789012:web'],
  detail: { pipeline: 'web', state: 'FAILED' },
  additionalAttributes: { failedActions: [] },
};

describe('CodePipeline notifications', () => {
  it('reads the notification of the first record of an SNS event', () => {
    // Act
    const read = notificationOf({
      Records: [{ Sns: { Message: JSON.stringify(notification) } }, { Sns: { Message: '{}' } }],
    });

    // Assess
    expect(read).toEqual(notification);
  });

  it('gives the EventBridge event of the same state change', () => {
    // Act
    const twin = eventBridgeTwin(notification);

    // Assess
    expect(twin).toEqual({
      version: '0',
      id: '01234567-0000-4000-8000-000000000000',
      'detail-type': 'CodePipeline Pipeline Execution State Change',
      source: 'aws.codepipeline',
      account: '123456789012',
      time: '2026-11-28T03:00:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:codepipeline:eu-west-1:123456789012:web'],
      detail: { pipeline: 'web', state: 'FAILED' },
    });
  });
});
