import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { ValidationError } from '@nightshift/runtime';
import { parseSchedules } from '@nightshift/schedules';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSchedules } from '../../src/reconcile/schedules.ts';

const ssmMock = mockClient(SSMClient);
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

const officeHours = {
  timezone: 'Europe/Berlin',
  periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', stop: '19:00' }],
};
const nights = { periods: [{ start: '20:00', stop: '06:00' }] };
const text = (schedules: Record<string, unknown>) => JSON.stringify({ schedules });
const badTimezone = text({ 'office-hours': { ...officeHours, timezone: 'Mars/Olympus' } });

/** The error a promise rejects with (fails the test when it resolves). */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('it resolved');
    },
    (error: unknown) => error,
  );

/** What `parseSchedules` throws for a document. */
const parseErrorOf = (document: string): unknown => {
  try {
    parseSchedules(document);
  } catch (error) {
    return error;
  }
  throw new Error('the document was accepted');
};

const issuesOf = (error: unknown) => {
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues;
};

describe('loadSchedules', () => {
  it('reads SCHEDULES when it is set, and then never the parameter', async () => {
    // Prepare
    const getParameter = vi.fn(async () => text({ nights }));

    // Act
    const document = await loadSchedules(
      {
        schedules: text({ 'office-hours': officeHours }),
        schedulesParameter: '/nightshift/schedules',
      },
      { getParameter },
    );

    // Assess
    expect(Object.keys(document.schedules)).toEqual(['office-hours']);
    expect(document.schedules['office-hours']?.timezone).toBe('Europe/Berlin');
    expect(getParameter).not.toHaveBeenCalled();
  });

  it('reads and parses the parameter SCHEDULES_PARAMETER names when SCHEDULES is not set', async () => {
    // Prepare
    const getParameter = vi.fn(async () => text({ nights }));

    // Act
    const document = await loadSchedules(
      { schedulesParameter: '/nightshift/schedules' },
      { getParameter },
    );

    // Assess
    expect(getParameter).toHaveBeenCalledWith('/nightshift/schedules');
    expect(document).toEqual(parseSchedules(text({ nights })));
    expect(document.schedules.nights?.timezone).toBe('UTC');
  });

  it('fails naming SCHEDULES, and saying how to set the document, when neither is set', async () => {
    // Prepare
    const getParameter = vi.fn(async () => text({ nights }));

    // Act
    const error = await rejectionOf(loadSchedules({}, { getParameter }));

    // Assess
    expect(issuesOf(error)).toEqual([
      { path: 'SCHEDULES', message: expect.stringContaining('SCHEDULES_PARAMETER') },
    ]);
    expect((error as Error).message).toMatch(/^Invalid SCHEDULES: SCHEDULES: /);
    expect(getParameter).not.toHaveBeenCalled();
  });

  it.each([
    ['not JSON', '{"schedules": '],
    ['a bad time zone', badTimezone],
  ])(
    'refuses a document that is %s with the ValidationError of parseSchedules, from SCHEDULES or the parameter',
    async (_, document) => {
      // Act
      const fromVariable = await rejectionOf(loadSchedules({ schedules: document }));
      const fromParameter = await rejectionOf(
        loadSchedules({ schedulesParameter: '/p' }, { getParameter: async () => document }),
      );

      // Assess
      const expected = parseErrorOf(document);
      expect(issuesOf(fromVariable)).toEqual(issuesOf(expected));
      expect(issuesOf(fromParameter)).toEqual(issuesOf(expected));
    },
  );

  it('names the path of the bad field', async () => {
    // Act
    const error = await rejectionOf(loadSchedules({ schedules: badTimezone }));

    // Assess
    expect(issuesOf(error).map(({ path }) => path)).toEqual(['schedules.office-hours.timezone']);
  });

  it('fails naming the parameter when it has no value', async () => {
    // Act
    const error = await rejectionOf(
      loadSchedules(
        { schedulesParameter: '/nightshift/gone' },
        { getParameter: async () => undefined },
      ),
    );

    // Assess
    expect(issuesOf(error)).toEqual([
      { path: 'SCHEDULES_PARAMETER', message: 'the SSM parameter /nightshift/gone does not exist' },
    ]);
  });

  it('fails naming the parameter when SSM says it does not exist', async () => {
    // Prepare
    const missing = new ParameterNotFound({ message: 'Parameter not found', $metadata: {} });

    // Act
    const error = await rejectionOf(
      loadSchedules(
        { schedulesParameter: '/nightshift/gone' },
        {
          getParameter: async () => {
            throw missing;
          },
        },
      ),
    );

    // Assess
    expect(issuesOf(error)).toEqual([
      { path: 'SCHEDULES_PARAMETER', message: 'the SSM parameter /nightshift/gone does not exist' },
    ]);
    expect((error as Error).cause).toBe(missing);
  });

  it('fails naming the parameter when it cannot be read, keeping the cause', async () => {
    // Prepare
    const denied = awsError('AccessDeniedException', 'not allowed');

    // Act
    const error = await rejectionOf(
      loadSchedules(
        { schedulesParameter: '/nightshift/secret' },
        {
          getParameter: async () => {
            throw denied;
          },
        },
      ),
    );

    // Assess
    expect(error).not.toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      'Could not read the schedules document from the SSM parameter /nightshift/secret (AccessDeniedException)',
    );
    expect((error as Error).cause).toBe(denied);
  });
});

describe('loadSchedules through Powertools and SSM', () => {
  beforeEach(() => {
    ssmMock.reset();
    clearCaches();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the parameter once within five minutes, and again after', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-27T19:00:00Z'));
    ssmMock
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: text({ nights }) } })
      .resolves({ Parameter: { Value: text({ 'office-hours': officeHours }) } });
    const config = { schedulesParameter: '/nightshift/schedules' };

    // Act
    const first = await loadSchedules(config);
    vi.setSystemTime(new Date('2026-11-27T19:04:59Z'));
    const second = await loadSchedules(config);
    vi.setSystemTime(new Date('2026-11-27T19:05:01Z'));
    const third = await loadSchedules(config);

    // Assess
    expect(Object.keys(first.schedules)).toEqual(['nights']);
    expect(second).toEqual(first);
    expect(Object.keys(third.schedules)).toEqual(['office-hours']);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/nightshift/schedules',
    });
  });

  it('fails naming a parameter that does not exist', async () => {
    // Prepare
    ssmMock
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'Parameter not found', $metadata: {} }));

    // Act
    const error = await rejectionOf(loadSchedules({ schedulesParameter: '/nightshift/missing' }));

    // Assess
    expect(issuesOf(error)).toEqual([
      {
        path: 'SCHEDULES_PARAMETER',
        message: 'the SSM parameter /nightshift/missing does not exist',
      },
    ]);
  });

  it('fails naming the parameter when SSM refuses it', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(awsError('AccessDeniedException', 'not allowed'));

    // Act
    const error = await rejectionOf(loadSchedules({ schedulesParameter: '/nightshift/denied' }));

    // Assess
    expect(error).not.toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('/nightshift/denied');
  });
});
