import { expect } from 'vitest';
import type { MockedClient } from './properties.ts';

/**
 * Checks that a mocked client received `command` once per page, each asking for (at least)
 * `input`, the last with the last of the `NextToken`s the pages before gave back. Other
 * commands are not looked at. The SDK's paginators send one input object, changed from
 * page to page, so a mock's history shows every request of a paginated read with the last
 * token: the tokens of the earlier pages cannot be told apart there.
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

  expect(sent).toHaveLength(nextTokens.length + 1);
  for (const request of sent) expect(request).toMatchObject(input);
  const lastToken = nextTokens.at(-1);
  if (lastToken !== undefined) expect(sent.at(-1)).toMatchObject({ NextToken: lastToken });
};
