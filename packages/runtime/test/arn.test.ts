import { describe, expect, it } from 'vitest';
import { accountIdOfArn, accountOfArn } from '../src/arn.ts';

describe('accountIdOfArn', () => {
  it.each([
    ['arn:aws:lambda:eu-west-1:444455556666:function:f', '444455556666'],
    ['arn:aws:lambda:eu-west-1:444455556666:function:f:live', '444455556666'],
  ])('reads the account of %s', (arn, account) => {
    // Act & Assess
    expect(accountIdOfArn(arn)).toBe(account);
  });

  it.each([
    ['arn:aws:lambda:eu-west-1:12345:function:f'],
    ['arn:aws:lambda:eu-west-1:1234567890123:function:f'],
    ['arn:aws:lambda:eu-west-1:a12345678901:function:f'],
    ['arn:aws:lambda:eu-west-1:12345678901a:function:f'],
    ['arn:aws:lambda:eu-west-1'],
    [''],
    [undefined],
  ])('finds no account in %s', (arn) => {
    // Act & Assess
    expect(accountIdOfArn(arn)).toBeUndefined();
  });
});

describe('accountOfArn', () => {
  it.each([
    ['arn:aws:lambda:eu-west-1:444455556666:function:f', '444455556666'],
    ['arn:aws:lambda:eu-west-1:444455556666:function:f:live', '444455556666'],
    ['arn:aws:lambda:eu-west-1:12345:function:f', 'unknown'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('reads the account of %s', (arn, account) => {
    // Act & Assess
    expect(accountOfArn(arn)).toBe(account);
  });
});
