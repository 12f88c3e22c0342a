// The snooze links of the demo: the actions table and the link key in the emulated account,
// chat-actions served over HTTP on 127.0.0.1 as a Lambda Function URL serves it, and what a
// heads-up looks like in the chat messages the demo's webhook receiver keeps.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { invokeBundle } from '@nightshift/testing';
import { clock } from './schedules.ts';
import { launchDemoInstance } from './seed.ts';

const MINUTE_MS = 60_000;

/**
 * The actions table (one string key `pk`, as the template makes it) and the link key secret
 * (64 characters, as the template generates it), created in the emulated account.
 *
 * @example
 * const { table, secretArn } = await seedActions();
 */
export const seedActions = async () => {
  const dynamodb = new DynamoDBClient({});
  const table = 'nightshift-actions';
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: table });
  const { ARN: secretArn = '' } = await new SecretsManagerClient({}).send(
    new CreateSecretCommand({
      Name: 'nightshift-link-key',
      SecretString: 'D3m0'.repeat(16),
    }),
  );
  return { table, secretArn };
};

/** The Function URL's response object, as chat-actions returns it. */
interface UrlResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/**
 * Serves a built Function URL bundle on 127.0.0.1: each HTTP request becomes the Function
 * URL payload 2.0 event (method, path, query string, headers, body in base64, source IP and
 * user agent), the bundle is invoked once with it as Lambda would, and its response object
 * is written back. The URL ends with `/`, as a Function URL does.
 *
 * @example
 * const server = await serveFunctionUrl('dist/chat-actions/index.mjs', 'chat-actions', env);
 */
export const serveFunctionUrl = async (
  bundle: string,
  functionName: string,
  env: Record<string, string>,
) => {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const query = url.search.slice(1);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      const body = Buffer.concat(chunks);
      const userAgent = headers['user-agent'] ?? '';
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: query,
        ...(query === ''
          ? {}
          : {
              queryStringParameters: Object.fromEntries(
                [...new Set(url.searchParams.keys())].map((name) => [
                  name,
                  url.searchParams.getAll(name).join(','),
                ]),
              ),
            }),
        headers,
        requestContext: {
          accountId: 'anonymous',
          apiId: 'demo',
          domainName: headers.host ?? '127.0.0.1',
          domainPrefix: 'demo',
          http: {
            method: request.method ?? 'GET',
            path: url.pathname,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
            userAgent,
          },
          requestId: crypto.randomUUID(),
          routeKey: '$default',
          stage: '$default',
          timeEpoch: Date.now(),
        },
        ...(body.length > 0 ? { body: body.toString('base64') } : {}),
        isBase64Encoded: body.length > 0,
      };
      const { result, error } = await invokeBundle<UrlResponse>(bundle, event, {
        env,
        functionName,
      }).catch((failure: Error) => ({ result: undefined, error: failure }));
      if (error || !result) {
        response
          .writeHead(502, { 'content-type': 'text/plain' })
          .end(error?.message ?? 'no response');
        return;
      }
      response
        .writeHead(result.statusCode, result.headers ?? {})
        .end(Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise((done) => server.close(done)) };
};

/**
 * A schedule in Berlin that started two hours before `now` and stops `stopInMinutes` after
 * it (a negative number: that many minutes ago), on the wall clock of its time zone.
 *
 * @example
 * eveningSchedule(new Date(), 10); // its stop due in ten minutes: a heads-up is due
 */
export const eveningSchedule = (now: Date, stopInMinutes: number) => {
  const timezone = 'Europe/Berlin';
  return {
    timezone,
    periods: [
      {
        start: clock(new Date(now.getTime() - 120 * MINUTE_MS), timezone),
        stop: clock(new Date(now.getTime() + stopInMinutes * MINUTE_MS), timezone),
      },
    ],
  };
};

/** A message the webhook receiver kept: a Slack attachment's blocks or a Teams card. */
export interface ChatPost {
  path: string;
  body: unknown;
}
interface Button {
  text?: { text?: string };
  title?: string;
  url?: string;
}
interface ChatBody {
  text?: string;
  attachments?: {
    blocks?: { type?: string; elements?: Button[] }[];
    content?: { body?: { text?: string }[]; actions?: Button[] };
  }[];
}

/**
 * What a chat message shows: its text and its links (label and URL), from Slack Block Kit
 * (url buttons) or a Teams Adaptive Card (Action.OpenUrl).
 *
 * @example
 * const { text, links } = readChatMessage(post);
 */
export const readChatMessage = (post: ChatPost) => {
  const body = post.body as ChatBody;
  const [attachment] = body.attachments ?? [];
  const buttons =
    attachment?.blocks?.find(({ type }) => type === 'actions')?.elements ??
    attachment?.content?.actions ??
    [];
  return {
    destination: post.path.split('/')[1] ?? '',
    text: body.text ?? attachment?.content?.body?.[0]?.text ?? '',
    links: buttons.map((button) => ({
      label: button.text?.text ?? button.title ?? '',
      url: button.url ?? '',
    })),
  };
};

/** The tags of an EC2 instance, as a record. */
export const instanceTags = async (id: string): Promise<Record<string, string>> => {
  const { Tags = [] } = await new EC2Client({}).send(
    new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }),
  );
  return Object.fromEntries(Tags.map(({ Key = '', Value = '' }) => [Key, Value]));
};

/** The title of an HTML page. */
export const pageTitle = (html: string): string =>
  /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '(no title)';

/**
 * Launches a running instance with a `Name` and a `nightshift:schedule` tag; its id.
 *
 * @example
 * const id = await launchScheduled('dev-api', 'evening');
 */
export const launchScheduled = (name: string, schedule: string): Promise<string> =>
  launchDemoInstance({ Name: name, Environment: 'dev', 'nightshift:schedule': schedule });

/** The state of an EC2 instance (`running`, `stopped`, ...), or `gone`. */
export const instanceState = async (id: string): Promise<string> => {
  const { Reservations = [] } = await new EC2Client({}).send(
    new DescribeInstancesCommand({ InstanceIds: [id] }),
  );
  return Reservations.flatMap((r) => r.Instances ?? [])[0]?.State?.Name ?? 'gone';
};
