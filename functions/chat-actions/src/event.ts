import * as z from 'zod/mini';

/**
 * A Lambda Function URL request (payload format 2.0): the method, caller and query string
 * of the request, its headers and its body (base64 when Lambda says so). Other fields
 * (cookies, the rest of `requestContext`) are kept but not read.
 */
export const EventSchema = z.looseObject({
  rawPath: z.optional(z.string('must be a string')),
  rawQueryString: z._default(z.string('must be a string'), ''),
  queryStringParameters: z.optional(
    z.record(z.string(), z.string(), 'must be an object of strings'),
  ),
  headers: z._default(z.record(z.string(), z.string(), 'must be an object of strings'), {}),
  body: z.optional(z.string('must be a string')),
  isBase64Encoded: z._default(z.boolean('must be true or false'), false),
  requestContext: z.looseObject({
    http: z.looseObject({
      method: z.string('must be the HTTP method'),
      sourceIp: z._default(z.string('must be a string'), ''),
      userAgent: z._default(z.string('must be a string'), ''),
    }),
  }),
});

export type FunctionUrlEvent = z.infer<typeof EventSchema>;

/** What a request asks: its method, the token(s) it carries, and who sent it. */
export interface LinkRequest {
  /** Upper case: `GET`, `POST`, ... */
  method: string;
  /** Every `t` value: from the query string on GET and HEAD, from the form body on POST. */
  tokens: string[];
  sourceIp: string;
  userAgent: string;
}

/** The body's text: decoded from base64 when Lambda encoded it. */
export const bodyText = (event: Pick<FunctionUrlEvent, 'body' | 'isBase64Encoded'>): string =>
  event.body === undefined
    ? ''
    : event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body;

/**
 * The request a Function URL event carries: on GET (and HEAD) the `t` values of the query
 * string, on POST those of the form body (`application/x-www-form-urlencoded`, base64 or
 * not), on any other method none.
 *
 * @example
 * readRequest(event); // { method: 'GET', tokens: ['eyJ2Ijox....abc'], sourceIp: '198.51.100.7', userAgent: 'Mozilla/5.0' }
 */
export const readRequest = (event: FunctionUrlEvent): LinkRequest => {
  const method = event.requestContext.http.method.toUpperCase();
  const source =
    method === 'GET' || method === 'HEAD'
      ? event.rawQueryString
      : method === 'POST'
        ? bodyText(event)
        : '';
  return {
    method,
    tokens: new URLSearchParams(source).getAll('t'),
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent,
  };
};
