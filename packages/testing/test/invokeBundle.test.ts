import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeBundle } from '../src/invokeBundle.ts';

// A stand-in bundle: answers with what it was given, fails when asked to, and holds about
// 64 MB for a moment when asked to.
const BUNDLE = `
export const handler = async (event, context) => {
  if (event.fail) throw new RangeError('asked to fail');
  if (event.flags) return process.execArgv;
  if (event.context)
    return {
      arn: context.invokedFunctionArn,
      requestId: context.awsRequestId,
      remainingMs: context.getRemainingTimeInMillis(),
    };
  if (event.holdMb) {
    const held = Buffer.alloc(event.holdMb * 1024 * 1024, 1);
    await new Promise((done) => setTimeout(done, 10));
    held.fill(2);
  }
  console.log(JSON.stringify({ message: 'seen', functionName: context.functionName }));
  return { length: event.data?.length ?? 0, region: process.env.AWS_REGION };
};
`;

describe('invokeBundle', () => {
  let dir: string;
  let bundle: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'invoke-bundle-'));
    bundle = join(dir, 'index.mjs');
    writeFileSync(bundle, BUNDLE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hands over an event larger than an environment variable may be', async () => {
    // Prepare: Linux refuses a single environment string over 128 KB.
    const data = 'x'.repeat(600 * 1024);

    // Act
    const { result, error, logs } = await invokeBundle(
      bundle,
      { data },
      {
        env: { AWS_REGION: 'eu-west-1' },
        functionName: 'stand-in',
      },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ length: data.length, region: 'eu-west-1' });
    expect(logs).toContainEqual({ message: 'seen', functionName: 'stand-in' });
  });

  it("measures the import, the handler and the process's peak RSS", async () => {
    // Act
    const light = await invokeBundle(bundle, {});
    const heavy = await invokeBundle(bundle, { holdMb: 64 });
    const failed = await invokeBundle(bundle, { fail: true });

    // Assess
    expect(light.importMs).toBeGreaterThan(0);
    expect(light.handlerMs).toBeGreaterThanOrEqual(0);
    expect(heavy.handlerMs).toBeGreaterThanOrEqual(10);
    expect(light.maxRssMb).toBeGreaterThan(10);
    expect((heavy.maxRssMb ?? 0) - (light.maxRssMb ?? 0)).toBeGreaterThan(50);
    expect(failed).toMatchObject({
      error: { name: 'RangeError', message: 'asked to fail' },
      maxRssMb: expect.any(Number),
    });
  });

  it('hands the handler the fake Lambda context of the function, in its region, counting down', async () => {
    // Act
    const { result } = await invokeBundle<{ arn: string; requestId: string; remainingMs: number }>(
      bundle,
      { context: true },
      { env: { AWS_REGION: 'eu-west-1' }, functionName: 'stand-in', timeoutMs: 30_000 },
    );

    // Assess
    expect(result?.arn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:stand-in');
    expect(result?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result?.remainingMs).toBeGreaterThan(0);
    expect(result?.remainingMs).toBeLessThanOrEqual(30_000);
  });

  it("runs with source maps on, as the template's NODE_OPTIONS, unless told otherwise", async () => {
    // Act
    const deployed = await invokeBundle<string[]>(bundle, { flags: true });
    const plain = await invokeBundle<string[]>(bundle, { flags: true }, { sourceMaps: false });

    // Assess
    expect(deployed.result).toContain('--enable-source-maps');
    expect(plain.result).not.toContain('--enable-source-maps');
  });
});
