/**
 * The account of a Lambda function's ARN (`arn:aws:lambda:<region>:<account>:function:…`):
 * its twelve digits, or undefined when it has none.
 *
 * @example
 * accountIdOfArn('arn:aws:lambda:eu-west-1:123456789012:function:f'); // '123456789012'
 * accountIdOfArn('arn:aws:lambda:eu-west-1:12345:function:f'); // undefined
 */
export const accountIdOfArn = (arn: string | undefined): string | undefined => {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
};

/**
 * The account of a Lambda function's ARN, `unknown` when it has none (for records and
 * reports that always name one).
 *
 * @example
 * accountOfArn(context.invokedFunctionArn); // '123456789012'
 */
export const accountOfArn = (arn: string | undefined): string => accountIdOfArn(arn) ?? 'unknown';
