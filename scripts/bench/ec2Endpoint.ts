import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An instance as the in-memory EC2 holds it. */
export interface MemoryInstance {
  /** `i-…`. */
  id: string;
  /** `running`, `stopped`, `pending`, `stopping`… */
  state: string;
  instanceType?: string;
  tags: Record<string, string>;
}

/** A loopback EC2 that keeps its instances in memory and counts the calls it answers. */
export interface InstantEc2 {
  endpoint: string;
  /** Puts instances straight into memory, replacing any with the same id; no call counted. */
  put(instances: readonly MemoryInstance[]): void;
  /** A copy of the instance with this id, if there is one. */
  get(id: string): MemoryInstance | undefined;
  /** Forgets every instance (the call counts stay). */
  clear(): void;
  /** Every request received so far, by its `Action` (unknown actions included). */
  calls(): Record<string, number>;
  stop(): Promise<void>;
}

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const OWNER_ID = '123456789012';
/** The most instances one DescribeInstances page holds, as on EC2. */
export const EC2_MAX_PAGE = 1_000;
const MIN_PAGE = 5;
const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** An answer EC2 would give as an error: its code and message, HTTP 400. */
class Ec2Fault extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};
const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (char) => ENTITIES[char] ?? char);

/** The values of `Prefix.1`, `Prefix.2`… in order, up to the first one missing. */
const numbered = (params: URLSearchParams, prefix: string): string[] => {
  const values: string[] = [];
  for (let n = 1; ; n += 1) {
    const value = params.get(`${prefix}.${n}`);
    if (value === null) return values;
    values.push(value);
  }
};

/** `Prefix.N.Key` / `Prefix.N.Value` pairs, in order; a value is undefined when absent. */
const numberedTags = (params: URLSearchParams): { key: string; value?: string }[] => {
  const tags: { key: string; value?: string }[] = [];
  for (let n = 1; ; n += 1) {
    const key = params.get(`Tag.${n}.Key`);
    if (key === null) return tags;
    const value = params.get(`Tag.${n}.Value`);
    tags.push(value === null ? { key } : { key, value });
  }
};

/** `Filter.N.Name` with its `Filter.N.Value.M` values. */
const numberedFilters = (params: URLSearchParams): { name: string; values: string[] }[] => {
  const filters: { name: string; values: string[] }[] = [];
  for (let n = 1; ; n += 1) {
    const name = params.get(`Filter.${n}.Name`);
    if (name === null) return filters;
    filters.push({ name, values: numbered(params, `Filter.${n}.Value`) });
  }
};

type Test = (instance: MemoryInstance) => boolean;

/** A DescribeInstances filter as a test; a name EC2 would take but this does not know is refused. */
const filterTest = ({ name, values }: { name: string; values: string[] }): Test => {
  const wanted = new Set(values);
  if (name === 'tag-key') return (instance) => values.some((key) => key in instance.tags);
  if (name === 'instance-state-name') return (instance) => wanted.has(instance.state);
  if (name.startsWith('tag:')) {
    const key = name.slice('tag:'.length);
    return (instance) => key in instance.tags && wanted.has(instance.tags[key] as string);
  }
  throw new Ec2Fault('InvalidParameterValue', `The filter '${name}' is invalid`);
};

const stateXml = (tag: string, state: string) =>
  `<${tag}><code>${STATE_CODES[state] ?? 0}</code><name>${escapeXml(state)}</name></${tag}>`;

const tagSetXml = (tags: Record<string, string>) => {
  const entries = Object.entries(tags);
  if (entries.length === 0) return '';
  const items = entries
    .map(
      ([key, value]) =>
        `<item><key>${escapeXml(key)}</key><value>${escapeXml(value)}</value></item>`,
    )
    .join('');
  return `<tagSet>${items}</tagSet>`;
};

/** One reservation per instance, as `reservationSet` items hold them. */
const reservationXml = (instance: MemoryInstance) =>
  [
    '<item>',
    `<reservationId>r-${instance.id.slice(2)}</reservationId>`,
    `<ownerId>${OWNER_ID}</ownerId>`,
    '<groupSet/>',
    '<instancesSet><item>',
    `<instanceId>${escapeXml(instance.id)}</instanceId>`,
    stateXml('instanceState', instance.state),
    instance.instanceType ? `<instanceType>${escapeXml(instance.instanceType)}</instanceType>` : '',
    tagSetXml(instance.tags),
    '</item></instancesSet>',
    '</item>',
  ].join('');

const encodeToken = (afterId: string) => Buffer.from(afterId, 'utf8').toString('base64url');
const decodeToken = (token: string): string => {
  const afterId = Buffer.from(token, 'base64url').toString('utf8');
  if (!afterId.startsWith('i-')) {
    throw new Ec2Fault('InvalidParameterValue', `The token '${token}' is invalid`);
  }
  return afterId;
};

const copy = (instance: MemoryInstance): MemoryInstance => ({
  ...instance,
  tags: { ...instance.tags },
});

/**
 * An endpoint for `AWS_ENDPOINT_URL_EC2` that keeps instances in memory and answers the EC2
 * Query protocol for what a reconcile run asks of EC2: DescribeInstances (`Filter.N` by
 * `tag-key`, `tag:<key>` and `instance-state-name`, `InstanceId.N`, `MaxResults` and
 * `NextToken` pages of at most 1,000 instances, one reservation per instance, by id),
 * StopInstances and StartInstances (the instances are stopped or running at once),
 * CreateTags and DeleteTags (`ResourceId.N`, `Tag.N.Key` / `Tag.N.Value`). Each request is
 * counted by its action. An unknown id, filter or action gets a 400 in EC2's error shape,
 * which the SDK throws. The instances are put in with `put`, without calls.
 *
 * @example
 * const ec2 = await startInstantEc2();
 * ec2.put([{ id: 'i-0000000000000001', state: 'running', tags: { team: 'data' } }]);
 * env.AWS_ENDPOINT_URL_EC2 = ec2.endpoint;
 */
export const startInstantEc2 = async (): Promise<InstantEc2> => {
  const instances = new Map<string, MemoryInstance>();
  const counts: Record<string, number> = {};

  const find = (ids: readonly string[]): MemoryInstance[] =>
    ids.map((id) => {
      const instance = instances.get(id);
      if (!instance) {
        throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      }
      return instance;
    });

  const required = (params: URLSearchParams, prefix: string, name: string): string[] => {
    const values = numbered(params, prefix);
    if (values.length === 0) {
      throw new Ec2Fault('MissingParameter', `The request must contain the parameter ${name}`);
    }
    return values;
  };

  const describe = (params: URLSearchParams): string => {
    const ids = numbered(params, 'InstanceId');
    const tests = numberedFilters(params).map(filterTest);
    const maxText = params.get('MaxResults');
    const max = maxText === null ? EC2_MAX_PAGE : Number(maxText);
    if (!Number.isInteger(max) || max < MIN_PAGE || max > EC2_MAX_PAGE) {
      throw new Ec2Fault(
        'InvalidParameterValue',
        `Value ( ${maxText} ) for parameter maxResults is invalid. Expecting a value between ${MIN_PAGE} and ${EC2_MAX_PAGE}.`,
      );
    }
    const token = params.get('NextToken');
    const afterId = token === null ? undefined : decodeToken(token);
    const candidates = ids.length > 0 ? [...new Set(find(ids))] : [...instances.values()];
    const matching = candidates
      .filter((instance) => tests.every((test) => test(instance)))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const start = afterId === undefined ? 0 : matching.findIndex((each) => each.id > afterId);
    const page = start < 0 ? [] : matching.slice(start, start + max);
    const last = page.at(-1);
    const more = start >= 0 && last !== undefined && start + max < matching.length;
    return [
      `<reservationSet>${page.map(reservationXml).join('')}</reservationSet>`,
      more ? `<nextToken>${encodeToken(last.id)}</nextToken>` : '',
    ].join('');
  };

  const changeState = (params: URLSearchParams, target: 'running' | 'stopped'): string => {
    const changed = find(required(params, 'InstanceId', 'InstanceId')).map((instance) => {
      const previous = instance.state;
      instance.state = target;
      return [
        '<item>',
        `<instanceId>${escapeXml(instance.id)}</instanceId>`,
        stateXml('currentState', target),
        stateXml('previousState', previous),
        '</item>',
      ].join('');
    });
    return `<instancesSet>${changed.join('')}</instancesSet>`;
  };

  const createTags = (params: URLSearchParams): string => {
    const targets = find(required(params, 'ResourceId', 'ResourceId'));
    const tags = numberedTags(params);
    if (tags.length === 0) {
      throw new Ec2Fault('MissingParameter', 'The request must contain the parameter Tag');
    }
    for (const instance of targets) {
      for (const { key, value } of tags) instance.tags[key] = value ?? '';
    }
    return '<return>true</return>';
  };

  /** A tag named with a value goes only when the resource has that value, as on EC2. */
  const deleteTags = (params: URLSearchParams): string => {
    const targets = find(required(params, 'ResourceId', 'ResourceId'));
    const tags = numberedTags(params);
    for (const instance of targets) {
      if (tags.length === 0) instance.tags = {};
      for (const { key, value } of tags) {
        if (value === undefined || instance.tags[key] === value) delete instance.tags[key];
      }
    }
    return '<return>true</return>';
  };

  const handlers: Record<string, (params: URLSearchParams) => string> = {
    DescribeInstances: describe,
    StopInstances: (params) => changeState(params, 'stopped'),
    StartInstances: (params) => changeState(params, 'running'),
    CreateTags: createTags,
    DeleteTags: deleteTags,
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = params.get('Action') ?? `${request.method} ${request.url}`;
      counts[action] = (counts[action] ?? 0) + 1;
      const requestId = randomUUID();
      response.setHeader('content-type', 'text/xml;charset=UTF-8');
      try {
        const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
        if (!handler) {
          throw new Ec2Fault(
            'InvalidAction',
            `The action ${action} is not valid for this web service.`,
          );
        }
        const body = handler(params);
        response.end(
          `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${XMLNS}"><requestId>${requestId}</requestId>${body}</${action}Response>`,
        );
      } catch (error) {
        const fault =
          error instanceof Ec2Fault
            ? error
            : new Ec2Fault('InternalError', (error as Error).message ?? String(error));
        response.statusCode = fault.code === 'InternalError' ? 500 : 400;
        response.end(
          `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${escapeXml(fault.code)}</Code><Message>${escapeXml(fault.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    put: (added) => {
      for (const instance of added) instances.set(instance.id, copy(instance));
    },
    get: (id) => {
      const instance = instances.get(id);
      return instance ? copy(instance) : undefined;
    },
    clear: () => instances.clear(),
    calls: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
