import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planInvocation } from '../../scripts/lib/invocation.ts';

const root = resolve(import.meta.dirname, '../..');
const plan = (args: string[], stdin = '') => planInvocation(args, { root, readStdin: () => stdin });

describe('invoke arguments', () => {
  it('takes the first sample event of the function by default, against a fresh local emulator', () => {
    // Act
    const invocation = plan(['snapshot-cleanup']);

    // Assess
    expect(invocation).toMatchObject({
      functionName: 'snapshot-cleanup',
      bundle: join(root, 'dist/snapshot-cleanup/index.mjs'),
      eventSource: 'functions/snapshot-cleanup/events/dry-run.json',
      dryRun: false,
      target: { kind: 'emulator' },
    });
    expect(invocation.event).toEqual({ retentionDays: 60, dryRun: true });
  });

  it('reads the event from a file or standard input, and marks a dry run in it', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'invoke-'));
    const file = join(dir, 'event.json');
    writeFileSync(file, '{"action": "scale_down", "environment": "dev"}');

    // Act & Assess
    expect(plan(['infra-scaler', '--event', file, '--dry-run'])).toMatchObject({
      event: { action: 'scale_down', environment: 'dev', dryRun: true },
      eventSource: file,
      dryRun: true,
    });
    expect(
      plan(['backup-manager', '--event', '-'], '{"backup_type": "ec2", "environment": "prod"}')
        .event,
    ).toEqual({
      backup_type: 'ec2',
      environment: 'prod',
    });
  });

  it('is a dry run against a real account unless --apply is given', () => {
    // Act
    const careful = plan(['infra-scaler', '--aws']);
    const applied = plan(['infra-scaler', '--aws', '--apply']);

    // Assess
    expect(careful).toMatchObject({
      target: { kind: 'aws' },
      dryRun: true,
      event: expect.objectContaining({ dryRun: true }),
    });
    expect(applied).toMatchObject({ target: { kind: 'aws' }, dryRun: false });
    expect(applied.event).not.toHaveProperty('dryRun');
  });

  it.each([
    ['log-processor', ['--aws'], /log-processor has no dry run: it publishes its alert.*--apply/],
    ['deploy-notifier', ['--dry-run'], /deploy-notifier has no dry run: it posts.*--dry-run/],
  ])('refuses a dry run of %s, which has none', (name, args, message) => {
    // Act & Assess
    expect(() => plan([name, ...args])).toThrow(message);
    expect(plan([name, '--aws', '--apply'])).toMatchObject({ target: { kind: 'aws' } });
  });

  it('uses a running emulator when given its endpoint', () => {
    expect(plan(['log-processor', '--endpoint', 'http://127.0.0.1:5000']).target).toEqual({
      kind: 'endpoint',
      url: 'http://127.0.0.1:5000',
    });
  });

  it.each([
    [
      ['snapshot-purger'],
      /no function named snapshot-purger; there are backup-manager, deploy-notifier, infra-scaler, log-processor, snapshot-cleanup/,
    ],
    [[], /which function\?/],
    [
      ['snapshot-cleanup', '--event', '/nonexistent/event.json'],
      /no event file \/nonexistent\/event\.json/,
    ],
    [['snapshot-cleanup', '--event', '-'], /the event in standard input is not JSON/],
    [['snapshot-cleanup', '--apply'], /--apply only makes sense with --aws/],
    [
      ['snapshot-cleanup', '--aws', '--endpoint', 'http://x'],
      /--aws and --endpoint exclude each other/,
    ],
    [['snapshot-cleanup', '--verbose'], /unknown option --verbose/],
  ])('rejects %j with a message that says what is wrong', (args, message) => {
    expect(() => plan(args, 'not json')).toThrow(message);
  });

  it('says so when a bad event file is not JSON', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'invoke-'));
    mkdirSync(join(dir, 'x'));
    const file = join(dir, 'x', 'bad.json');
    writeFileSync(file, '{ retentionDays: 3 ');

    // Act & Assess
    expect(() => plan(['snapshot-cleanup', '--event', file])).toThrow(
      `the event in ${file} is not JSON`,
    );
  });
});
