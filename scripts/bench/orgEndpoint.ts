import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type InstantEc2, type MemoryInstance, startInstantEc2 } from './ec2Endpoint.ts';

/** The account the bench's own credentials belong to: the hub (the emulator's default account). */
export const HUB_ACCOUNT = '123456789012';
/**
 * The access key of the event source mapping's calls (receive, delete): forwarded in turn
 * with the others, neither delayed nor counted, since they are not the function's.
 */
export const MAPPING_ACCESS_KEY = 'mapping';
/** Services a job acts on in a target; every other service's calls are the fan-out's own. */
const FANOUT_SERVICES = new Set(['sts', 'sqs', 'dynamodb', 'sns', 'organizations']);

/** Whose a call is: the job's (in a target account) or the fan-out's bookkeeping. */
export type CallKind = 'job' | 'fanout';

/**
 * The kind of a call by the service its signature names: STS, SQS, DynamoDB, SNS and
 * Organizations serve the fan-out (credentials, queue, runs table, summary, accounts);
 * the rest (EC2, Auto Scaling, RDS, CloudWatch) is the job's work in a target.
 *
 * @example
 * callKind('ec2'); // 'job'
 */
export const callKind = (service: string): CallKind =>
  FANOUT_SERVICES.has(service) ? 'fanout' : 'job';

/**
 * The access key of a target account's spoke session: the account in clear, so that the
 * endpoint knows whose resources a signed request asks for.
 *
 * @example
 * accessKeyFor('200000000001'); // 'ASIA200000000001'
 */
export const accessKeyFor = (accountId: string): string => `ASIA${accountId}`;

/**
 * The account a request's access key acts in: a spoke session's (`accessKeyFor`), else
 * the hub's.
 *
 * @example
 * accountOfAccessKey('ASIA200000000001'); // '200000000001'
 * accountOfAccessKey('bench'); // HUB_ACCOUNT
 */
export const accountOfAccessKey = (accessKeyId: string): string =>
  /^ASIA(\d{12})$/.exec(accessKeyId)?.[1] ?? HUB_ACCOUNT;

/** The access key, region and service of a SigV4 `Authorization` header's credential scope. */
export const credentialScope = (
  authorization: string,
): { accessKeyId: string; region: string; service: string } | undefined => {
  const match = /Credential=([^/]+)\/[^/]+\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  if (!match) return undefined;
  const [, accessKeyId = '', region = '', service = ''] = match;
  return { accessKeyId, region, service };
};

/** A snapshot as the in-memory EC2 of a target holds it. */
export interface MemorySnapshot {
  id: string;
  volumeId: string;
  sizeGiB: number;
  startTime: Date;
}

/** What one target (account and region) holds. */
export interface TargetSeed {
  instances?: readonly MemoryInstance[];
  snapshots?: readonly MemorySnapshot[];
  /** Volumes that exist (the snapshots of the others are of deleted volumes). */
  volumeIds?: readonly string[];
}

/** Calls counted by phase, then kind, then `service:Action`. */
export type PhaseCalls = Record<string, Record<CallKind, Record<string, number>>>;

/** A loopback endpoint for `AWS_ENDPOINT_URL` serving many accounts and Regions at once. */
export interface OrgEndpoint {
  endpoint: string;
  /** Puts a target's resources in memory (replacing what it held); no call counted. */
  seed(accountId: string, region: string, seed: TargetSeed): Promise<void>;
  /** The snapshots a target still holds. */
  snapshotsOf(accountId: string, region: string): MemorySnapshot[];
  /** Forgets every target's resources and the counts. */
  reset(): Promise<void>;
  /** The calls answered or forwarded so far, by phase (`/__bench/phase/<name>` sets it). */
  calls(): PhaseCalls;
  /** Milliseconds spent waiting for the emulator, summed over the forwarded calls, by phase. */
  upstreamMs(): Record<string, number>;
  /** The emulator's error answers (HTTP status ≥ 400), by phase, then `service:Action status`. */
  upstreamErrors(): Record<string, Record<string, number>>;
  stop(): Promise<void>;
}

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const SNAPSHOT_ACTIONS = new Set([
  'DescribeSnapshots',
  'DescribeVolumes',
  'DescribeImages',
  'DeleteSnapshot',
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

interface Answer {
  status: number;
  body: string;
}

const ec2Error = (code: string, message: string): Answer => ({
  status: 400,
  body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
});

const ec2Answer = (action: string, body: string): Answer => ({
  status: 200,
  body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${EC2_XMLNS}"><requestId>${randomUUID()}</requestId>${body}</${action}Response>`,
});

/** What one target holds in memory; its instances are served by an in-memory EC2 of its own. */
interface TargetState {
  accountId: string;
  region: string;
  snapshots: Map<string, MemorySnapshot>;
  volumeIds: string[];
  instances?: InstantEc2;
}

const snapshotXml = (snapshot: MemorySnapshot, ownerId: string) =>
  [
    '<item>',
    `<snapshotId>${snapshot.id}</snapshotId>`,
    `<volumeId>${snapshot.volumeId}</volumeId>`,
    '<status>completed</status>',
    `<startTime>${snapshot.startTime.toISOString()}</startTime>`,
    '<progress>100%</progress>',
    `<ownerId>${ownerId}</ownerId>`,
    `<volumeSize>${snapshot.sizeGiB}</volumeSize>`,
    '<description/>',
    '<encrypted>false</encrypted>',
    '</item>',
  ].join('');

/** Pages of `items` after the one named by `token` (an index), at most `max` each. */
const page = <T>(items: readonly T[], params: URLSearchParams) => {
  const max = Number(params.get('MaxResults') ?? 1000);
  const start = Number(params.get('NextToken') ?? 0);
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? `<nextToken>${start + max}</nextToken>` : '';
  return { slice, next };
};

/** The snapshot and volume calls of a cleanup, answered from a target's memory. */
const snapshotAction = (state: TargetState, action: string, params: URLSearchParams): Answer => {
  switch (action) {
    case 'DescribeSnapshots': {
      const all = [...state.snapshots.values()].sort((a, b) => a.id.localeCompare(b.id));
      const { slice, next } = page(all, params);
      const items = slice.map((snapshot) => snapshotXml(snapshot, state.accountId)).join('');
      return ec2Answer(action, `<snapshotSet>${items}</snapshotSet>${next}`);
    }
    case 'DescribeVolumes': {
      const { slice, next } = page(state.volumeIds, params);
      const items = slice
        .map(
          (id) =>
            `<item><volumeId>${id}</volumeId><size>8</size><availabilityZone>${state.region}a</availabilityZone><status>in-use</status></item>`,
        )
        .join('');
      return ec2Answer(action, `<volumeSet>${items}</volumeSet>${next}`);
    }
    case 'DescribeImages':
      return ec2Answer(action, '<imagesSet/>');
    default: {
      const id = params.get('SnapshotId') ?? '';
      if (!state.snapshots.delete(id)) {
        return ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
      }
      return ec2Answer(action, '<return>true</return>');
    }
  }
};

/**
 * The Auto Scaling groups and RDS databases of a target: none. Answered here rather than by
 * the emulator, which handles one request at a time and would bound the rate of the runs.
 */
const EMPTY_DESCRIBES: Record<string, { xmlns: string; list: string }> = {
  'autoscaling:DescribeAutoScalingGroups': {
    xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
    list: 'AutoScalingGroups',
  },
  'rds:DescribeDBInstances': {
    xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/',
    list: 'DBInstances',
  },
  'rds:DescribeDBClusters': {
    xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/',
    list: 'DBClusters',
  },
};

const emptyDescribe = (action: string, { xmlns, list }: { xmlns: string; list: string }) =>
  `<${action}Response xmlns="${xmlns}"><${action}Result><${list}/></${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;

/** STS for the spoke sessions: AssumeRole gives keys naming the role's account. */
const stsAction = (action: string, params: URLSearchParams, accountId: string): Answer => {
  const requestId = randomUUID();
  if (action === 'GetCallerIdentity') {
    return {
      status: 200,
      body: `<GetCallerIdentityResponse xmlns="${STS_XMLNS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${accountId}:user/bench</Arn><UserId>AIDABENCH</UserId><Account>${accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    };
  }
  const roleArn = params.get('RoleArn') ?? '';
  const target = /^arn:[^:]+:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
  if (action !== 'AssumeRole' || !target) {
    return {
      status: 400,
      body: `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${action} ${roleArn}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const [, spoke = '', role = ''] = target;
  const session = params.get('RoleSessionName') ?? 'session';
  const expiration = new Date(Date.now() + 3_600_000).toISOString();
  return {
    status: 200,
    body: `<AssumeRoleResponse xmlns="${STS_XMLNS}"><AssumeRoleResult><Credentials><AccessKeyId>${accessKeyFor(spoke)}</AccessKeyId><SecretAccessKey>bench</SecretAccessKey><SessionToken>bench-${spoke}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROABENCH:${session}</AssumedRoleId><Arn>arn:aws:sts::${spoke}:assumed-role/${role}/${session}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  };
};

/**
 * A loopback endpoint for `AWS_ENDPOINT_URL` that plays an organization's accounts: every
 * AWS request waits `latencyMs` first, then STS (GetCallerIdentity: the hub; AssumeRole:
 * keys that name the role's account, see `accessKeyFor`) and EC2 are answered from memory,
 * per account (read from the request's access key) and Region (its credential scope) —
 * snapshots, volumes and images here, instances by an in-memory EC2 (`startInstantEc2`)
 * of the target's own; no Auto Scaling group and no RDS database — and every other call
 * (SQS, DynamoDB, SNS, CloudWatch…) is forwarded to `upstream` (the emulator), one at a
 * time. Calls signed with `MAPPING_ACCESS_KEY` are forwarded at once, neither delayed nor
 * counted. Every other AWS call is counted by
 * phase, kind (`callKind`) and `service:Action`; `POST /__bench/phase/<name>` (not
 * counted, not delayed) starts a phase.
 *
 * @example
 * const org = await startOrgEndpoint({ upstream: moto.endpoint, latencyMs: 50 });
 * await org.seed('200000000001', 'eu-west-1', { snapshots, volumeIds });
 */
export const startOrgEndpoint = async ({
  upstream,
  latencyMs,
}: {
  upstream: string;
  latencyMs: number;
}): Promise<OrgEndpoint> => {
  const targets = new Map<string, TargetState>();
  let counts: PhaseCalls = {};
  let upstreamMs: Record<string, number> = {};
  let upstreamErrors: Record<string, Record<string, number>> = {};
  let phase = 'setup';
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  // One forwarded call at a time: the emulator is not thread-safe (concurrent transactions
  // fail half-applied), and handles one call at a time anyway.
  let gate: Promise<unknown> = Promise.resolve();
  const upstreamUrl = new URL(upstream);

  const stateOf = (accountId: string, region: string): TargetState => {
    const key = `${accountId}/${region}`;
    let state = targets.get(key);
    if (!state) {
      state = { accountId, region, snapshots: new Map(), volumeIds: [] };
      targets.set(key, state);
    }
    return state;
  };

  const count = (kind: CallKind, name: string) => {
    const byKind = counts[phase] ?? { job: {}, fanout: {} };
    counts[phase] = byKind;
    byKind[kind][name] = (byKind[kind][name] ?? 0) + 1;
  };

  const forwardOne = (
    request: IncomingMessage,
    body: Buffer,
  ): Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const charged = phase;
      forward(
        {
          hostname: upstreamUrl.hostname,
          port: upstreamUrl.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
          agent,
        },
        (answer) => {
          readBody(answer)
            .then((answerBody) => {
              upstreamMs[charged] = (upstreamMs[charged] ?? 0) + performance.now() - started;
              resolve({
                status: answer.statusCode ?? 502,
                headers: answer.headers,
                body: answerBody,
              });
            })
            .catch(reject);
        },
      )
        .on('error', reject)
        .end(body);
    });

  const pass = (request: IncomingMessage, body: Buffer) => {
    const answer = gate.then(() => forwardOne(request, body));
    gate = answer.catch(() => undefined);
    return answer;
  };

  const server = createServer((request, response) => {
    readBody(request)
      .then(async (body) => {
        const path = request.url ?? '/';
        if (path.startsWith('/__bench/phase/')) {
          phase = decodeURIComponent(path.slice('/__bench/phase/'.length));
          response.writeHead(204).end();
          return;
        }
        const scope = credentialScope(String(request.headers.authorization ?? ''));
        const target = request.headers['x-amz-target'];
        const text = body.toString('utf8');
        const params = new URLSearchParams(text);
        const action =
          typeof target === 'string'
            ? target.slice(target.lastIndexOf('.') + 1)
            : (params.get('Action') ?? `${request.method} ${path}`);
        const service = scope?.service ?? 'unknown';
        if (scope?.accessKeyId === MAPPING_ACCESS_KEY) {
          const answer = await pass(request, body);
          response.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        }
        count(callKind(service), `${service}:${action}`);
        await sleep(latencyMs);
        const accountId = accountOfAccessKey(scope?.accessKeyId ?? '');
        if (service === 'sts') {
          const answer = stsAction(action, params, accountId);
          response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body);
          return;
        }
        const empty = EMPTY_DESCRIBES[`${service}:${action}`];
        if (empty) {
          response.writeHead(200, { 'content-type': 'text/xml' }).end(emptyDescribe(action, empty));
          return;
        }
        if (service === 'ec2') {
          const state = stateOf(accountId, scope?.region ?? '');
          if (SNAPSHOT_ACTIONS.has(action)) {
            const answer = snapshotAction(state, action, params);
            response
              .writeHead(answer.status, { 'content-type': 'text/xml;charset=UTF-8' })
              .end(answer.body);
            return;
          }
          state.instances ??= await startInstantEc2();
          const answer = await fetch(state.instances.endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: text,
          });
          response
            .writeHead(answer.status, { 'content-type': 'text/xml;charset=UTF-8' })
            .end(await answer.text());
          return;
        }
        const charged = phase;
        const answer = await pass(request, body);
        if (answer.status >= 400) {
          const errors = upstreamErrors[charged] ?? {};
          upstreamErrors[charged] = errors;
          const name = `${service}:${action} ${answer.status}`;
          errors[name] = (errors[name] ?? 0) + 1;
        }
        response.writeHead(answer.status, answer.headers).end(answer.body);
      })
      .catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const stopInstances = async () => {
    await Promise.all([...targets.values()].map((state) => state.instances?.stop()));
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    seed: async (accountId, region, { instances, snapshots, volumeIds }) => {
      const state = stateOf(accountId, region);
      state.snapshots = new Map(
        (snapshots ?? []).map((snapshot) => [snapshot.id, { ...snapshot }]),
      );
      state.volumeIds = [...(volumeIds ?? [])];
      if (instances) {
        state.instances ??= await startInstantEc2();
        state.instances.clear();
        state.instances.put(instances);
      }
    },
    snapshotsOf: (accountId, region) => [
      ...(targets.get(`${accountId}/${region}`)?.snapshots.values() ?? []),
    ],
    reset: async () => {
      await stopInstances();
      targets.clear();
      counts = {};
      upstreamMs = {};
      upstreamErrors = {};
      phase = 'setup';
    },
    calls: () => structuredClone(counts),
    upstreamMs: () => ({ ...upstreamMs }),
    upstreamErrors: () => structuredClone(upstreamErrors),
    stop: async () => {
      await stopInstances();
      agent.destroy();
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
};
