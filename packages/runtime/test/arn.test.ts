import { describe, expect, it } from 'vitest';
import { accountOfArn } from '../src/arn.ts';

describe('accountOfArn', () => {
  it.each([
    ['arn:aws:lambda:eu-west-1:444455556666:function:f', '444455556666'],
    ['arn:aws:lambda:eu-west-1:444455556666:function:f:live', '444455556666'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('reads the account of %s', (arn, account) => {
    // Act & Assess
    expect(accountOfArn(arn)).toBe(account);
  });
});
