import { parseOrThrow, ValidationError } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { createObservability } from '../src/observability.ts';
import { withNightshift } from '../src/withNightshift.ts';

const EventSchema = z.looseObject({
  id: z.optional(z.string()),
  retentionDays: z._default(z.int().check(z.minimum(1)), 30),
  tags: z.optional(z.array(z.object({ key: z.string(), value: z.optional(z.string()) }))),
  dryRun: z.optional(z.boolean()),
});

/** Events near the schema: each field valid, of another type, or missing, with any `id`. */
const nearEvent = fc.record(
  {
    id: fc.oneof(fc.string(), fc.anything()),
    retentionDays: fc.oneof(fc.integer({ min: 1, max: 3650 }), fc.double(), fc.anything()),
    tags: fc.array(
      fc.record(
        { key: fc.oneof(fc.string(), fc.anything()), value: fc.oneof(fc.string(), fc.anything()) },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    dryRun: fc.oneof(fc.boolean(), fc.anything()),
  },
  { requiredKeys: [] },
);

const anyEvent = fc.oneof(nearEvent, fc.anything());

describe('Event validation, for any input', () => {
  it('returns what zod parses, or throws a ValidationError with one readable issue per zod issue', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        // Prepare
        const expected = z.safeParse(EventSchema, event);

        // Act
        let parsed: unknown;
        let caught: unknown;
        try {
          parsed = parseOrThrow(EventSchema, event, 'event');
        } catch (error) {
          caught = error;
        }

        // Assess
        if (expected.success) {
          expect(caught).toBeUndefined();
          expect(parsed).toEqual(expected.data);
          return;
        }
        expect(caught).toBeInstanceOf(ValidationError);
        const error = caught as ValidationError;
        expect(error.issues).toHaveLength(expected.error.issues.length);
        expect(error.message.startsWith('Invalid event: ')).toBe(true);
        for (const issue of error.issues) {
          expect(issue.path).toMatch(/^(?:\(root\)|[^.[].*)$/);
          expect(error.message).toContain(`${issue.path}: `);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('calls the handler with the parsed event exactly when the event is valid, and rejects the rest with a ValidationError', async () => {
    // Prepare
    const inner = vi.fn(async (event: unknown) => event);
    const handler = withNightshift(
      { ...createObservability('test-fn'), eventSchema: EventSchema },
      inner,
    );

    await fc.assert(
      fc.asyncProperty(anyEvent, async (event) => {
        // Prepare
        inner.mockClear();
        // Lambda events are JSON, so undefined never arrives; middy takes it for {}.
        const expected = z.safeParse(EventSchema, event === undefined ? {} : event);

        // Act
        const invocation = handler(event, createLambdaContext());

        // Assess
        if (expected.success) {
          await expect(invocation).resolves.toEqual(expected.data);
          expect(inner).toHaveBeenCalledTimes(1);
        } else {
          await expect(invocation).rejects.toBeInstanceOf(ValidationError);
          expect(inner).not.toHaveBeenCalled();
        }
      }),
      { numRuns: 150 },
    );
  });
});
