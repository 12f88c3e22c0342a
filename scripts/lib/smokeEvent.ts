// A function's smoke event (its manifest's `smokeEvent` file) made ready to send: the
// event a deploy invokes every function with, and the demo and the benchmark run a
// function with when they have no case of their own for it. It must change nothing.
//
// The file is JSON with two conveniences, so that one file serves every stage:
// - placeholders in strings: `${stage}` (the stage deployed), `${scaledEnvironment}` (the
//   environment infra-scaler may scale there), `${now}` (the time, ISO 8601) and `${nowMs}`
//   (the time in epoch milliseconds; a string that is only `"${nowMs}"` becomes the number);
// - `awslogs.data` written as the decoded object: it is sent gzipped and base64-encoded, as
//   CloudWatch Logs delivers a subscription batch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FunctionManifest } from './functions.ts';

/** What the placeholders of a smoke event stand for. */
export interface SmokeValues {
  stage: string;
  scaledEnvironment: string;
  now: Date;
}

/** A smoke event that uses a placeholder nobody fills in. */
export class SmokeEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmokeEventError';
  }
}

const PLACEHOLDER = /\$\{(\w+)\}/g;

const placeholders = ({ stage, scaledEnvironment, now }: SmokeValues) =>
  ({
    stage,
    scaledEnvironment,
    now: now.toISOString(),
    nowMs: now.getTime(),
  }) as Record<string, string | number>;

const substitute = (value: unknown, table: Record<string, string | number>): unknown => {
  if (typeof value === 'string') {
    const whole = /^\$\{(\w+)\}$/.exec(value);
    if (whole?.[1] !== undefined && typeof table[whole[1]] === 'number') return table[whole[1]];
    return value.replace(PLACEHOLDER, (match, name: string) => {
      if (!(name in table)) {
        throw new SmokeEventError(
          `unknown placeholder ${match}; there are ${Object.keys(table)
            .map((key) => `\${${key}}`)
            .join(', ')}`,
        );
      }
      return String(table[name]);
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, table));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, table)]),
    );
  }
  return value;
};

/**
 * Fills in the placeholders of a smoke event and encodes a decoded `awslogs.data`.
 *
 * @example
 * resolveSmokeEvent({ environment: '${stage}', dryRun: true }, values);
 * // { environment: 'staging', dryRun: true }
 */
export const resolveSmokeEvent = (template: unknown, values: SmokeValues): unknown => {
  const event = substitute(template, placeholders(values));
  if (event !== null && typeof event === 'object' && 'awslogs' in event) {
    const awslogs = (event as { awslogs: unknown }).awslogs;
    if (awslogs !== null && typeof awslogs === 'object' && 'data' in awslogs) {
      const { data } = awslogs as { data: unknown };
      if (data !== null && typeof data === 'object') {
        return {
          ...event,
          awslogs: { ...awslogs, data: gzipSync(JSON.stringify(data)).toString('base64') },
        };
      }
    }
  }
  return event;
};

/**
 * Reads a function's smoke event from its manifest and makes it ready to send.
 *
 * @example
 * readSmokeEvent(root, readManifest(root, 'infra-scaler'), { stage, scaledEnvironment, now });
 */
export const readSmokeEvent = (
  root: string,
  manifest: FunctionManifest,
  values: SmokeValues,
): unknown => {
  const file = join('functions', manifest.name, manifest.smokeEvent);
  try {
    return resolveSmokeEvent(JSON.parse(readFileSync(join(root, file), 'utf8')), values);
  } catch (error) {
    throw new SmokeEventError(`${file}: ${(error as Error).message}`);
  }
};
