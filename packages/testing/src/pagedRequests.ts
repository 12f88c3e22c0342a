import { expect } from 'vitest';
import type { MockedClient } from './properties.ts';

/**
 * Checks that a mocked client received exactly one `command` per page, in order: the first
 * with `input`, each next one with `input` and the `NextToken` the page before gave back.
 * Other commands are not looked at.
 *
 * @example
 * assertPagedRequests(ec2Mock, DescribeVolumesCommand, { MaxResults: 500 }, ['v1']);
 */
export const assertPagedRequests = (
  mock: Pick<MockedClient, 'calls'>,
  command: abstract new (...args: never[]) => { input: object },
  input: Record<string, unknown>,
  nextTokens: readonly string[],
): void => {
  const sent = mock
    .calls()
    .map((call) => call.args[0])
    .filter((sentCommand) => sentCommand instanceof command)
    .map((sentCommand) => sentCommand.input);

  expect(sent).toEqual([input, ...nextTokens.map((NextToken) => ({ ...input, NextToken }))]);
};
