import { describe, expect, it } from 'vitest';
import { DecisionError, decide, errorReason, toEntry } from '../src/decision.ts';

describe('Decide', () => {
  it('makes a decision of an action, a target, a reason and details', () => {
    // Act
    const decision = decide('delete', 'snap-1', 'older than 30 days', { ageDays: 41 });

    // Assess
    expect(decision).toEqual({
      action: 'delete',
      target: 'snap-1',
      reason: 'older than 30 days',
      details: { ageDays: 41 },
    });
    expect(decide('stop', 'i-1', 'tagged')).not.toHaveProperty('details');
  });

  it.each(['', '   '])('refuses a decision without a resource id (%j)', (target) => {
    // Act
    const deciding = () => decide('delete', target, 'older than 30 days');

    // Assess
    expect(deciding).toThrow(DecisionError);
    expect(deciding).toThrow(expect.objectContaining({ name: 'DecisionError' }));
    expect(deciding).toThrow('a delete decision needs a resource id (older than 30 days)');
  });
});

describe('A report entry of a decision', () => {
  it('is the decision, with another reason when the outcome says more', () => {
    // Prepare
    const decision = decide('stop', 'i-1', 'tagged Environment=staging', { az: 'eu-west-1a' });

    // Act & Assess
    expect(toEntry(decision)).toEqual({
      id: 'i-1',
      action: 'stop',
      reason: 'tagged Environment=staging',
      details: { az: 'eu-west-1a' },
    });
    expect(toEntry(decision, 'stopped and marked').reason).toBe('stopped and marked');
    expect(toEntry(decide('stop', 'i-2', 'x'))).not.toHaveProperty('details');
  });
});

describe('The reason of a failure', () => {
  it('is the error name and message, with credentials masked, or the sentence given', () => {
    // Prepare
    const error = Object.assign(new Error('denied for https://user:secret@hooks.example.com'), {
      name: 'AccessDenied',
    });

    // Act & Assess
    expect(errorReason(error)).toMatch(/^AccessDenied: denied for /);
    expect(errorReason(error)).not.toContain('secret');
    expect(errorReason('saved sizes are not valid')).toBe('saved sizes are not valid');
    expect(errorReason(42)).toBe('Error: 42');
  });
});
