import { parseOrThrow } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import confirmLink from '../events/confirm-link.json' with { type: 'json' };
import openLink from '../events/open-link.json' with { type: 'json' };
import smoke from '../events/smoke.json' with { type: 'json' };
import { bodyText, EventSchema, readRequest } from '../src/event.ts';

/**
 * The request payload of AWS Lambda's developer guide ("Invoking Lambda function URLs",
 * request payload format 2.0), as documented: an IAM-authorised POST with cookies, a
 * repeated query parameter and a text body.
 */
const AWS_DOCUMENTED_REQUEST = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/my/path',
  rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
  cookies: ['cookie1', 'cookie2'],
  headers: { header1: 'value1', header2: 'value1,value2' },
  queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
  requestContext: {
    accountId: '123456789012',
    apiId: '<urlid>',
    authentication: null,
    authorizer: {
      iam: {
        accessKey: 'AKIA...',
        accountId: '111122223333',
        callerId: 'AIDA...',
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: 'arn:aws:iam::111122223333:user/example-user',
        userId: 'AIDA...',
      },
    },
    domainName: '<url-id>.lambda-url.us-west-2.on.aws',
    domainPrefix: '<url-id>',
    http: {
      method: 'POST',
      path: '/my/path',
      protocol: 'HTTP/1.1',
      sourceIp: '123.123.123.123',
      userAgent: 'agent',
    },
    requestId: 'id',
    routeKey: '$default',
    stage: '$default',
    time: '12/Mar/2020:19:03:58 +0000',
    timeEpoch: 1583348638390,
  },
  body: 'Hello from client!',
  pathParameters: null,
  isBase64Encoded: false,
  stageVariables: null,
};

/** A browser's GET of a Function URL with AuthType NONE, as Lambda passes it (no body, no query string). */
const AWS_BROWSER_GET = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/',
  rawQueryString: '',
  headers: {
    'sec-fetch-mode': 'navigate',
    'x-amzn-tls-version': 'TLSv1.2',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    'x-forwarded-for': '123.123.123.123',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9',
    host: '<url-id>.lambda-url.us-east-1.on.aws',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/102.0.0.0 Safari/537.36',
  },
  requestContext: {
    accountId: 'anonymous',
    apiId: '<url-id>',
    domainName: '<url-id>.lambda-url.us-east-1.on.aws',
    domainPrefix: '<url-id>',
    http: {
      method: 'GET',
      path: '/',
      protocol: 'HTTP/1.1',
      sourceIp: '123.123.123.123',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/102.0.0.0 Safari/537.36',
    },
    requestId: 'c1d4ad10-0000-4000-8000-000000000000',
    routeKey: '$default',
    stage: '$default',
    time: '05/Aug/2022:08:16:03 +0000',
    timeEpoch: 1659687363000,
  },
  isBase64Encoded: false,
};

describe('EventSchema', () => {
  it('takes the request payload AWS documents for function URLs', () => {
    // Act
    const event = parseOrThrow(EventSchema, AWS_DOCUMENTED_REQUEST, 'event');

    // Assess
    expect(event.requestContext.http).toMatchObject({
      method: 'POST',
      sourceIp: '123.123.123.123',
      userAgent: 'agent',
    });
    expect(event.body).toBe('Hello from client!');
    expect(event.cookies).toEqual(['cookie1', 'cookie2']);
  });

  it('takes a browser GET with neither query parameters nor a body', () => {
    // Act
    const event = parseOrThrow(EventSchema, AWS_BROWSER_GET, 'event');

    // Assess
    expect(event).toMatchObject({ rawQueryString: '', isBase64Encoded: false });
    expect(event.queryStringParameters).toBeUndefined();
  });

  it('takes the sample events of the function', () => {
    // Act & Assess
    for (const sample of [smoke, openLink, confirmLink]) {
      expect(() => parseOrThrow(EventSchema, sample, 'event')).not.toThrow();
    }
  });

  it('refuses an event that is not a function URL request, naming the field', () => {
    // Act & Assess
    expect(() => parseOrThrow(EventSchema, { dryRun: true }, 'event')).toThrow(/requestContext/);
  });

  it('fills in what a minimal request leaves out: no query, no headers, a text body, no caller', () => {
    // Act
    const parsed = parseOrThrow(
      EventSchema,
      { requestContext: { http: { method: 'GET' } } },
      'event',
    );

    // Assess
    expect(parsed).toEqual({
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', sourceIp: '', userAgent: '' } },
    });
  });

  it.each([
    [{ rawPath: 7 }, 'rawPath: must be a string'],
    [{ rawQueryString: 7 }, 'rawQueryString: must be a string'],
    [{ queryStringParameters: 'x' }, 'queryStringParameters: must be an object of strings'],
    [{ headers: 'x' }, 'headers: must be an object of strings'],
    [{ body: 7 }, 'body: must be a string'],
    [{ isBase64Encoded: 'yes' }, 'isBase64Encoded: must be true or false'],
    [
      { requestContext: { http: { method: 7 } } },
      'requestContext.http.method: must be the HTTP method',
    ],
    [
      { requestContext: { http: { method: 'GET', sourceIp: 7 } } },
      'requestContext.http.sourceIp: must be a string',
    ],
    [
      { requestContext: { http: { method: 'GET', userAgent: 7 } } },
      'requestContext.http.userAgent: must be a string',
    ],
  ])('refuses a bad field, naming it and why (%#)', (fields, message) => {
    // Prepare
    const event = { requestContext: { http: { method: 'GET' } }, ...fields };

    // Act & Assess
    expect(() => parseOrThrow(EventSchema, event, 'event')).toThrow(message);
  });
});

describe('readRequest', () => {
  it('reads the token of a GET from the query string', () => {
    // Prepare
    const event = parseOrThrow(
      EventSchema,
      { ...AWS_BROWSER_GET, rawQueryString: 't=abc.def' },
      'event',
    );

    // Act
    const request = readRequest(event);

    // Assess
    expect(request).toEqual({
      method: 'GET',
      tokens: ['abc.def'],
      sourceIp: '123.123.123.123',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/102.0.0.0 Safari/537.36',
    });
  });

  it('reads the token of a POST from its base64 form body, not from the query string', () => {
    // Prepare
    const event = parseOrThrow(EventSchema, confirmLink, 'event');

    // Act
    const request = readRequest({ ...event, rawQueryString: 't=from-the-query' });

    // Assess
    expect(request.method).toBe('POST');
    expect(request.tokens).toEqual(['TOKEN']);
  });

  it('reads the token of a POST whose form body was passed as text', () => {
    // Prepare
    const event = parseOrThrow(
      EventSchema,
      { ...AWS_DOCUMENTED_REQUEST, body: 'x=1&t=abc.def', isBase64Encoded: false },
      'event',
    );

    // Act & Assess
    expect(readRequest(event).tokens).toEqual(['abc.def']);
  });

  it('gives every t of the request, so that two are refused', () => {
    // Prepare
    const event = parseOrThrow(
      EventSchema,
      { ...AWS_BROWSER_GET, rawQueryString: 't=a&t=b' },
      'event',
    );

    // Act & Assess
    expect(readRequest(event).tokens).toEqual(['a', 'b']);
  });

  it('reads no token from a method other than GET, HEAD and POST', () => {
    // Prepare
    const event = parseOrThrow(
      EventSchema,
      {
        ...AWS_DOCUMENTED_REQUEST,
        rawQueryString: 't=a',
        body: 't=b',
        requestContext: {
          ...AWS_DOCUMENTED_REQUEST.requestContext,
          http: { ...AWS_DOCUMENTED_REQUEST.requestContext.http, method: 'put' },
        },
      },
      'event',
    );

    // Act & Assess
    expect(readRequest(event)).toMatchObject({ method: 'PUT', tokens: [] });
  });

  it('decodes a base64 body and leaves a text body as it is', () => {
    // Act & Assess
    expect(bodyText({ body: Buffer.from('t=é').toString('base64'), isBase64Encoded: true })).toBe(
      't=é',
    );
    expect(bodyText({ body: 'dD1h', isBase64Encoded: false })).toBe('dD1h');
    expect(bodyText({ isBase64Encoded: true })).toBe('');
  });
});
