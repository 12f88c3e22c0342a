import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { planInvocation, usage } from '../../scripts/lib/invocation.ts';

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
      new RegExp(
        `no function named snapshot-purger; there are ${listFunctions(root)
          .map((fn) => fn.name)
          .join(', ')}$`,
      ),
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

  describe('functions and their dry runs come from the manifests', () => {
    /** A repository of its own with the given functions (package.json with a manifest each). */
    const repository = (functions: Record<string, Record<string, unknown> | undefined>) => {
      const dir = mkdtempSync(join(tmpdir(), 'invoke-root-'));
      for (const [name, manifest] of Object.entries(functions)) {
        mkdirSync(join(dir, 'functions', name, 'events'), { recursive: true });
        writeFileSync(join(dir, 'functions', name, 'events', 'smoke.json'), '{"dryRun": true}');
        if (manifest === undefined) continue;
        writeFileSync(
          join(dir, 'functions', name, 'package.json'),
          JSON.stringify({
            name: `@nightshift/${name}`,
            nightshift: { smokeEvent: 'events/smoke.json', metrics: [], ...manifest },
          }),
        );
      }
      return dir;
    };
    const planIn = (dir: string, args: string[]) =>
      planInvocation(args, { root: dir, readStdin: () => '' });

    it('refuses a dry run of a function whose manifest says it has none, with what it does anyway', () => {
      // Prepare
      const dir = repository({
        'daily-report': {
          trigger: 'schedule',
          dryRun: false,
          runsAnyway: 'it sends the report to everyone',
        },
      });

      // Act & Assess
      expect(() => planIn(dir, ['daily-report', '--dry-run'])).toThrow(
        'daily-report has no dry run: it sends the report to everyone. Leave out --dry-run',
      );
      expect(() => planIn(dir, ['daily-report', '--aws'])).toThrow(
        /daily-report has no dry run: it sends the report to everyone\. Add --apply/,
      );
      expect(planIn(dir, ['daily-report'])).toMatchObject({ dryRun: false });
    });

    it('runs a dry run of a function whose manifest has one, whatever its name', () => {
      // Prepare
      const dir = repository({ 'log-processor': { trigger: 'log-subscription', dryRun: true } });

      // Act & Assess
      expect(planIn(dir, ['log-processor', '--dry-run'])).toMatchObject({
        dryRun: true,
        event: { dryRun: true },
      });
    });

    it('knows only the functions with a manifest', () => {
      // Prepare: a folder without a package.json is no function.
      const dir = repository({
        'schedule-runner': { trigger: 'schedule', dryRun: true },
        scratch: undefined,
      });

      // Act & Assess
      expect(() => planIn(dir, ['scratch'])).toThrow(
        'no function named scratch; there are schedule-runner',
      );
      expect(planIn(dir, ['schedule-runner']).bundle).toBe(
        join(dir, 'dist/schedule-runner/index.mjs'),
      );
    });

    it('names the functions without a dry run in the usage, from their manifests', () => {
      // Act
      const text = usage(listFunctions(root));
      const none = listFunctions(root).filter((fn) => !fn.dryRun);

      // Assess
      expect(none.length).toBeGreaterThan(0);
      expect(text).toContain(`(${none.map((fn) => fn.name).join(', ')} have no dry run`);
      expect(
        usage(listFunctions(repository({ one: { trigger: 'schedule', dryRun: true } }))),
      ).not.toContain('no dry run');
    });
  });
});
