/**
 * The account of a Lambda function's ARN (`arn:aws:lambda:<region>:<account>:function:…`),
 * `unknown` when it has none.
 *
 * @example
 * accountOfArn(context.invokedFunctionArn); // '123456789012'
 */
export const accountOfArn = (arn: string | undefined): string => arn?.split(':')[4] || 'unknown';
