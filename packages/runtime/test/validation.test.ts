import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ValidationError } from '../src/errors.ts';
import { parseOrThrow } from '../src/validation.ts';

const Event = z.object({
  action: z.enum(['scale_down', 'scale_up']),
  retentionDays: z.optional(z.number().check(z.minimum(1))),
  tags: z.optional(z.array(z.object({ key: z.string() }))),
});

describe('Parse an event or name every bad field', () => {
  it('returns the parsed event when it is valid', () => {
    // Act
    const event = parseOrThrow(Event, { action: 'scale_up', extra: true }, 'event');

    // Assess
    expect(event).toEqual({ action: 'scale_up' });
  });

  it('names every bad field path, nested ones included', () => {
    // Prepare
    const input = { action: 'explode', retentionDays: 0, tags: [{ key: 'a' }, { key: 3 }] };

    // Act
    let caught: unknown;
    try {
      parseOrThrow(Event, input, 'event');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.name).toBe('ValidationError');
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'action',
      'retentionDays',
      'tags[1].key',
    ]);
    expect(error.message).toMatch(
      /^Invalid event: action: .+; retentionDays: .+; tags\[1\]\.key: .+/,
    );
    expect(error.cause).toBeDefined();
  });

  it('names the root when the event is not an object at all', () => {
    // Act & Assess
    expect(() => parseOrThrow(Event, 'scale_up', 'event')).toThrow(/Invalid event: \(root\): /);
  });
});
