import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CrashScenario,
  formatCrashReport,
  killPointsOf,
  runCrashPoints,
  stateDifferences,
} from '../src/crashPoints.ts';

// A stand-in service that keeps a list of items (ListItems, PutItem), and a stand-in
// function that puts the items its event names: after checking which exist (`check`),
// or blindly. The first is crash-safe, the second duplicates what a killed run had put;
// `dedupe` then removes duplicates.
const FUNCTION = `
const call = async (action, body) => {
  const response = await fetch(process.env.AWS_ENDPOINT_URL + '/', {
    method: 'POST',
    headers: { 'x-amz-target': 'Items.' + action },
    body: JSON.stringify(body),
  });
  return response.json();
};
export const handler = async (event) => {
  const { items } = await call('ListItems', {});
  for (const item of event.want) {
    if (!event.check || !items.includes(item)) await call('PutItem', { item });
  }
  if (event.dedupe) await call('Dedupe', {});
  return { done: true };
};
`;

let items: string[] = [];
let endpoint = '';
let bundle = '';
let cleanup: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-crash-'));
  bundle = join(dir, 'index.mjs');
  writeFileSync(bundle, FUNCTION);
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const action = String(request.headers['x-amz-target']).split('.')[1];
      if (action === 'PutItem') items.push((JSON.parse(body) as { item: string }).item);
      if (action === 'Dedupe') items = [...new Set(items)];
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ items }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanup = async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  };
});
afterAll(() => cleanup());

const scenario = (
  events: { want: string[]; check: boolean; dedupe?: boolean }[],
  options: Pick<CrashScenario<string[]>, 'changes' | 'compare'> = {},
): CrashScenario<string[]> => ({
  upstreams: { aws: endpoint },
  ...options,
  prepare: async () => {
    items = [];
    return {
      invocations: events.map((event, index) => ({ label: `run ${index + 1}`, bundle, event })),
      observe: async () => [...items].sort(),
    };
  },
});
const changes = ({ action }: { action: string }) => action !== 'ListItems';

describe('crash points', { timeout: 60_000 }, () => {
  it('kills after each change and the first call, and passes a function that checks before it acts', async () => {
    // Act
    const report = await runCrashPoints(scenario([{ want: ['a', 'b'], check: true }], { changes }));

    // Assess
    expect(report.calls).toEqual([
      {
        label: 'run 1',
        calls: [
          { upstream: 'aws', action: 'ListItems', occurrence: 1 },
          { upstream: 'aws', action: 'PutItem', occurrence: 1 },
          { upstream: 'aws', action: 'PutItem', occurrence: 2 },
        ],
      },
    ]);
    expect(report.clean).toEqual([['a', 'b']]);
    expect(report.outcomes.map(({ point }) => `${point.action} #${point.occurrence}`)).toEqual([
      'ListItems #1',
      'PutItem #1',
      'PutItem #2',
    ]);
    expect(report.outcomes.map((outcome) => outcome.killed)).toEqual([true, true, true]);
    expect(report.outcomes.flatMap((outcome) => outcome.failures)).toEqual([]);
  });

  it('names the kill points where a function that acts blindly duplicates its work', async () => {
    // Act
    const report = await runCrashPoints(scenario([{ want: ['a', 'b'], check: false }]));

    // Assess
    expect(report.outcomes.map((outcome) => outcome.failures)).toEqual([
      [],
      ['after run 1: expected ["a","b"], got ["a","a","b"]'],
      ['after run 1: expected ["a","b"], got ["a","a","b","b"]'],
    ]);
    expect(formatCrashReport('blind', report)).toBe(
      [
        'blind: run 1 3 calls; 3 kill points tried, 2 failed',
        '  run 1: ListItems, PutItem, PutItem',
        '  FAILED run 1: killed after PutItem #1',
        '    after run 1: expected ["a","b"], got ["a","a","b"]',
        '  FAILED run 1: killed after PutItem #2',
        '    after run 1: expected ["a","b"], got ["a","a","b","b"]',
      ].join('\n'),
    );
  });

  it('covers each invocation in turn and checks the account after every one', async () => {
    // Act: the second run is blind, the first checks.
    const report = await runCrashPoints(
      scenario(
        [
          { want: ['a'], check: true },
          { want: ['b'], check: false },
        ],
        { changes },
      ),
    );

    // Assess
    expect(report.clean).toEqual([['a'], ['a', 'b']]);
    expect(
      report.outcomes.map(({ point, failures }) => [point.label, point.action, failures]),
    ).toEqual([
      ['run 1', 'ListItems', []],
      ['run 1', 'PutItem', []],
      ['run 2', 'ListItems', []],
      ['run 2', 'PutItem', ['after run 2: expected ["a","b"], got ["a","b","b"]']],
    ]);
  });

  it('compares only the end when asked', async () => {
    // Prepare: a blind run, then one that removes duplicates.
    const events = [
      { want: ['a'], check: false },
      { want: [], check: true, dedupe: true },
    ];

    // Act
    const report = await runCrashPoints(scenario(events, { changes, compare: 'last' }));

    // Assess: killed after its put, the first run put twice; the second mended it.
    expect(report.outcomes.map(({ point }) => `${point.label} ${point.action}`)).toEqual([
      'run 1 ListItems',
      'run 1 PutItem',
      'run 2 ListItems',
      'run 2 Dedupe',
    ]);
    expect(report.outcomes[1]?.states).toEqual([['a', 'a'], ['a']]);
    expect(report.outcomes.flatMap((outcome) => outcome.failures)).toEqual([]);
  });

  it('runs what passes between a kill and the retry once per kill, and never in a clean run', async () => {
    // Prepare: the hook records which items the killed run had put when it ran.
    const seen: string[][] = [];
    const base = scenario([{ want: ['a', 'b'], check: true }], { changes });
    const withHook: CrashScenario<string[]> = {
      ...base,
      prepare: async () => {
        const run = await base.prepare();
        return {
          ...run,
          invocations: run.invocations.map((invocation) => ({
            ...invocation,
            afterKill: async () => {
              seen.push([...items]);
            },
          })),
        };
      },
    };

    // Act
    const report = await runCrashPoints(withHook);

    // Assess
    expect(report.outcomes).toHaveLength(3);
    expect(seen).toEqual([[], ['a'], ['a', 'b']]);
  });

  it('picks the changes and the first call of each invocation as kill points', () => {
    // Prepare
    const call = (action: string, occurrence = 1) => ({ upstream: 'aws', action, occurrence });
    const calls = [
      { label: 'down', calls: [call('DescribeInstances'), call('StopInstances'), call('Publish')] },
      { label: 'up', calls: [call('DescribeInstances'), call('DescribeInstances', 2)] },
    ];

    // Act
    const points = killPointsOf(calls, ({ action }) => !action.startsWith('Describe'));

    // Assess
    expect(points.map(({ label, action }) => `${label} ${action}`)).toEqual([
      'down DescribeInstances',
      'down StopInstances',
      'down Publish',
      'up DescribeInstances',
    ]);
    expect(killPointsOf(calls)).toHaveLength(5);
  });

  it('names the fields of a state that differ', () => {
    expect(stateDifferences({ a: 1, b: [2] }, { a: 1, b: [3], c: true })).toEqual([
      'b: expected [2], got [3]',
      'c: expected undefined, got true',
    ]);
    expect(stateDifferences([1], [1])).toEqual([]);
  });
});
