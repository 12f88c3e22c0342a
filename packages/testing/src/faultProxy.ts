import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './seededRandom.ts';

/**
 * What the proxy does to a request: answer a throttling or unavailable error, or cut the
 * connection, without forwarding it; or (`lost`) forward it and cut the connection
 * instead of returning the answer, as when a call takes effect and its answer never arrives.
 */
export type Fault = 'throttle' | 'unavailable' | 'drop' | 'lost';

/** Counts of what went through the proxy. */
export interface FaultStats {
  /** AWS requests received (emulator control calls are not counted). */
  requests: number;
  /** Requests answered with a fault, by kind. */
  faults: Record<Fault, number>;
  /** Requests forwarded to the emulator, by API action (`DeleteSnapshot`, `Publish`...). */
  forwarded: Record<string, number>;
  /** The API actions of the forwarded requests, in the order they reached the emulator. */
  calls: string[];
}

/** One request the proxy forwarded, numbered in the order it reached the upstream. */
export interface ForwardedCall {
  /** 1 for the first request forwarded, 2 for the next... */
  index: number;
  /** Its API action (`StopInstances`), or method and path when it is not an AWS request. */
  action: string;
  /** 1 for the first request of this action, 2 for the second... */
  occurrence: number;
}

/** What becomes of the upstream's answer to a forwarded request: sent on, or cut off. */
export type AnswerFate = 'deliver' | 'lose';

/**
 * Called once the upstream has answered a forwarded request in full, before the answer is
 * sent on; the answer waits until the returned promise settles. `lose` cuts the connection
 * instead of answering: the call took effect, its caller never learns it.
 */
export type AnswerHook = (call: ForwardedCall) => AnswerFate | Promise<AnswerFate>;

/** How often and where faults are injected. */
export interface FaultSettings {
  /** Share of matching requests answered with a fault, 0 to 1. */
  rate: number;
  /** Only requests for these API actions get faults; every action when absent. */
  actions?: readonly string[];
  /** The first this many matching requests always get a fault, whatever the rate. */
  first?: number;
  /** The kinds chosen from, evenly; `throttle`, `unavailable` and `drop` when absent. */
  kinds?: readonly Fault[];
}

/** A running proxy: point `AWS_ENDPOINT_URL` at `endpoint`. */
export interface FaultProxy {
  endpoint: string;
  stats(): FaultStats;
  /** Changes the fault settings for the requests that follow. */
  configure(settings: FaultSettings): void;
  /** Resolves once no request is being handled (read, forwarded, answered or cut off). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const UNPROCESSED_FAULTS: readonly Fault[] = ['throttle', 'unavailable', 'drop'];

type Protocol = 'ec2' | 'query' | 'json' | 'cbor';

interface AwsRequest {
  protocol: Protocol;
  action: string;
}

/** Which wire protocol and API action a signed SDK request uses. */
const classify = (
  method: string,
  headers: IncomingHttpHeaders,
  body: string,
  path: string,
): AwsRequest => {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    return { protocol: 'json', action: target.slice(target.lastIndexOf('.') + 1) };
  }
  if (headers['smithy-protocol'] === 'rpc-v2-cbor') {
    return { protocol: 'cbor', action: path.slice(path.lastIndexOf('/') + 1) };
  }
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(
    String(headers.authorization ?? ''),
  )?.[1];
  const action = new URLSearchParams(body).get('Action') ?? `${method} ${path}`;
  return { protocol: service === 'ec2' ? 'ec2' : 'query', action };
};

/**
 * The error bodies AWS sends: EC2 answers a throttled call with 503 RequestLimitExceeded,
 * the other Query APIs (RDS, Auto Scaling, SNS, CloudWatch) with 400 Throttling, JSON
 * APIs with 400 ThrottlingException; any of them may answer 503 when overloaded.
 */
const faultResponse = (protocol: Protocol, fault: 'throttle' | 'unavailable') => {
  const throttled = fault === 'throttle';
  const requestId = randomUUID();
  switch (protocol) {
    case 'ec2': {
      const code = throttled ? 'RequestLimitExceeded' : 'Unavailable';
      const message = throttled ? 'Request limit exceeded.' : 'The service is unavailable.';
      return {
        status: 503,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    }
    case 'query': {
      const code = throttled ? 'Throttling' : 'ServiceUnavailable';
      const message = throttled ? 'Rate exceeded' : 'Service is unavailable';
      return {
        status: throttled ? 400 : 503,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<ErrorResponse><Error><Type>${throttled ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    case 'json': {
      const code = throttled ? 'ThrottlingException' : 'ServiceUnavailable';
      return {
        status: throttled ? 400 : 503,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-errortype': code,
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ __type: code, message: throttled ? 'Rate exceeded' : code }),
      };
    }
    case 'cbor':
      // An empty 503 is the one error every protocol reads the same way.
      return { status: 503, headers: { 'x-amzn-requestid': requestId }, body: '' };
  }
};

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    // A connection closed before the end (its sender was killed): there is no body.
    request.on('close', () => {
      if (!request.complete) reject(new Error('connection closed before the end of the body'));
    });
  });

/**
 * A loopback HTTP proxy in front of the emulator that answers a share of AWS requests
 * with the throttling and availability errors AWS really sends, or drops the connection,
 * instead of forwarding them, as when AWS throttles a call before acting on it; or, when
 * asked for `lost` faults, lets the call take effect and loses its answer. Emulator
 * control paths (`/moto-api/`) always pass. `onAnswer` sees each forwarded call once it
 * took effect, before its answer goes back: a crash test kills the caller there. With
 * rate 0 and no hook it only counts: `stats().calls` is the run's calls in order.
 *
 * @example
 * const proxy = await startFaultProxy({ target: moto.endpoint, rate: 0.2, seed: 7 });
 * await invokeBundle(bundle, event, { env: { AWS_ENDPOINT_URL: proxy.endpoint } });
 * proxy.stats(); // { requests: 41, faults: { throttle: 3, unavailable: 2, drop: 3 }, ... }
 */
export const startFaultProxy = async ({
  target,
  seed = 1,
  onAnswer,
  ...initial
}: FaultSettings & {
  target: string;
  seed?: number;
  /** Sees every answer before it is sent on, and may have it lost (see `AnswerHook`). */
  onAnswer?: AnswerHook;
}): Promise<FaultProxy> => {
  const random = seededRandom(seed);
  let settings: FaultSettings = initial;
  const stats: FaultStats = {
    requests: 0,
    faults: { throttle: 0, unavailable: 0, drop: 0, lost: 0 },
    forwarded: {},
    calls: [],
  };
  const upstream = new URL(target);
  let matched = 0;
  let inFlight = 0;
  const whenIdle: (() => void)[] = [];
  /** Counts one more request being handled; the returned function counts it done. */
  const track = () => {
    inFlight += 1;
    return () => {
      inFlight -= 1;
      if (inFlight === 0) for (const resolve of whenIdle.splice(0)) resolve();
    };
  };

  /** Counts one AWS request and decides its fate: a fault, or none to forward it. */
  const pickFault = (action: string): Fault | undefined => {
    stats.requests += 1;
    const eligible = settings.actions?.includes(action) ?? true;
    if (!eligible) return undefined;
    matched += 1;
    if (matched > (settings.first ?? 0) && random() >= settings.rate) return undefined;
    const kinds = settings.kinds ?? UNPROCESSED_FAULTS;
    const fault = kinds[Math.floor(random() * kinds.length)] ?? 'throttle';
    stats.faults[fault] += 1;
    return fault;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const path = request.url ?? '/';
    const control = path.startsWith('/moto-api');
    const aws = classify(request.method ?? 'GET', request.headers, body.toString('utf8'), path);
    const cut = () => request.socket.destroy();
    /** Forwards the request; the answer, read in full, is delivered or lost. */
    const pass = (fate: (call: ForwardedCall) => AnswerFate | Promise<AnswerFate>) => {
      let call: ForwardedCall | undefined;
      if (!control) {
        const occurrence = (stats.forwarded[aws.action] ?? 0) + 1;
        stats.forwarded[aws.action] = occurrence;
        stats.calls.push(aws.action);
        call = { index: stats.calls.length, action: aws.action, occurrence };
      }
      const { hostname, port } = upstream;
      const { method, headers } = request;
      return new Promise<void>((resolve) => {
        forward({ hostname, port, method, path, headers }, (answer) => {
          readBody(answer)
            .then(async (answerBody) => {
              if (call && (await fate(call)) === 'lose') cut();
              else response.writeHead(answer.statusCode ?? 502, answer.headers).end(answerBody);
            })
            .catch(cut)
            .finally(resolve);
        })
          .on('error', () => {
            cut();
            resolve();
          })
          .end(body);
      });
    };

    const fault = control ? undefined : pickFault(aws.action);
    if (fault === undefined) await pass((call) => onAnswer?.(call) ?? 'deliver');
    else if (fault === 'lost') await pass(() => 'lose');
    else if (fault === 'drop') cut();
    else {
      const { status, headers, body: errorBody } = faultResponse(aws.protocol, fault);
      response.writeHead(status, headers).end(errorBody);
    }
  };

  const server = createServer((request, response) => {
    const settle = track();
    handle(request, response)
      .catch(() => request.socket.destroy())
      .finally(settle);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    configure: (next) => {
      settings = next;
      matched = 0;
    },
    idle: () =>
      inFlight === 0
        ? Promise.resolve()
        : new Promise((resolve) => {
            whenIdle.push(resolve);
          }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
