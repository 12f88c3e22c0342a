import type { MiddlewareObj } from '@middy/core';
import type { Schema } from '@nightshift/runtime';
import { parseOrThrow } from '@nightshift/runtime';

/**
 * A middy middleware that replaces the event with its parsed form, or throws a
 * `ValidationError` naming every bad field; the handler is then not called.
 *
 * @example
 * middy(handler).use(eventValidator(EventSchema));
 */
export const eventValidator = (schema: Schema): MiddlewareObj => {
  const eventValidatorBefore: MiddlewareObj['before'] = (request) => {
    request.event = parseOrThrow(schema, request.event, 'event');
  };
  return { before: eventValidatorBefore };
};
