import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { listFunctions, readManifest } from '../../scripts/lib/functions.ts';
import { readSmokeEvent, resolveSmokeEvent } from '../../scripts/lib/smokeEvent.ts';

const root = resolve(import.meta.dirname, '../..');
const values = {
  stage: 'production',
  scaledEnvironment: 'staging',
  now: new Date('2026-11-28T03:02:11.000Z'),
};

describe('smoke events', () => {
  it('fills in the stage, the scaled environment and the time', () => {
    // Act
    const event = resolveSmokeEvent(
      {
        environment: `\${stage}`,
        scaled: [`\${scaledEnvironment}`],
        time: `\${now}`,
        timestamp: `\${nowMs}`,
        note: `deployed to \${stage} at \${nowMs}`,
        dryRun: true,
        count: 3,
      },
      values,
    );

    // Assess
    expect(event).toEqual({
      environment: 'production',
      scaled: ['staging'],
      time: '2026-11-28T03:02:11.000Z',
      timestamp: Date.parse('2026-11-28T03:02:11.000Z'),
      note: `deployed to production at ${Date.parse('2026-11-28T03:02:11.000Z')}`,
      dryRun: true,
      count: 3,
    });
  });

  it('sends a decoded awslogs.data gzipped and base64-encoded, and leaves an encoded one', () => {
    // Prepare
    const data = { messageType: 'CONTROL_MESSAGE', logEvents: [{ timestamp: `\${nowMs}` }] };

    // Act
    const event = resolveSmokeEvent({ awslogs: { data } }, values) as {
      awslogs: { data: string };
    };

    // Assess
    expect(JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString())).toEqual({
      messageType: 'CONTROL_MESSAGE',
      logEvents: [{ timestamp: values.now.getTime() }],
    });
    expect(resolveSmokeEvent({ awslogs: { data: 'H4sI' } }, values)).toEqual({
      awslogs: { data: 'H4sI' },
    });
  });

  it('refuses a placeholder it does not know, naming the file', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'smoke-'));
    mkdirSync(join(dir, 'functions', 'daily-report', 'events'), { recursive: true });
    writeFileSync(
      join(dir, 'functions', 'daily-report', 'package.json'),
      JSON.stringify({
        name: '@nightshift/daily-report',
        nightshift: {
          trigger: 'schedule',
          dryRun: true,
          smokeEvent: 'events/smoke.json',
          metrics: [],
        },
      }),
    );
    writeFileSync(
      join(dir, 'functions', 'daily-report', 'events', 'smoke.json'),
      `{"region": "\${region}"}`,
    );

    // Act & Assess
    expect(() => readSmokeEvent(dir, readManifest(dir, 'daily-report'), values)).toThrow(
      `functions/daily-report/events/smoke.json: unknown placeholder \${region}`,
    );
  });

  it("reads every function's smoke event, with no placeholder left", () => {
    for (const manifest of listFunctions(root)) {
      const event = readSmokeEvent(root, manifest, values);
      expect(JSON.stringify(event), manifest.name).not.toMatch(/\$\{/);
    }
  });
});
