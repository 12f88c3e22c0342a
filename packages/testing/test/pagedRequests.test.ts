import { ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { assertPagedRequests } from '../src/pagedRequests.ts';

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({ region: 'us-east-1' });
const TopicArn = 'arn:aws:sns:us-east-1:123456789012:reports';

/** Sends one ListSubscriptionsByTopic per token given (undefined: no token). */
const askPages = async (...tokens: (string | undefined)[]) => {
  for (const NextToken of tokens)
    await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken }));
};

describe('Checking paged requests', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.onAnyCommand().resolves({});
  });

  it('passes for one request per page, the last with the last token', async () => {
    // Prepare
    await askPages(undefined, 'p1');
    await sns.send(new ListTopicsCommand({})); // another command: not looked at
    await askPages('p2');

    // Act & Assess
    assertPagedRequests(snsMock, ListSubscriptionsByTopicCommand, { TopicArn }, ['p1', 'p2']);
    assertPagedRequests(snsMock, ListTopicsCommand, {}, []);
  });

  it.each([
    ['a page asked twice', [undefined, 'p1', 'p1']],
    ['a page left out', [undefined]],
    ['the wrong token', [undefined, 'p9']],
    ['no token', [undefined, undefined]],
  ])('fails for %s', async (_case, tokens) => {
    // Prepare
    await askPages(...tokens);

    // Act & Assess
    expect(() =>
      assertPagedRequests(snsMock, ListSubscriptionsByTopicCommand, { TopicArn }, ['p1']),
    ).toThrow();
  });

  it('fails when a request asks for something else than the input', async () => {
    // Prepare
    await askPages(undefined);

    // Act & Assess
    expect(() =>
      assertPagedRequests(snsMock, ListSubscriptionsByTopicCommand, { TopicArn: 'other' }, []),
    ).toThrow();
  });
});
