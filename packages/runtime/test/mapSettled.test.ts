import { describe, expect, it } from 'vitest';
import { mapSettled } from '../src/mapSettled.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Bounded-concurrency mapping', () => {
  it('never has more than `concurrency` calls in flight', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const work = async (n: number) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await sleep(5);
      inFlight -= 1;
      return n * 2;
    };

    // Act
    const result = await mapSettled([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], work, { concurrency: 3 });

    // Assess
    expect(peak).toBe(3);
    expect(result.succeeded.map(({ value }) => value)).toEqual([
      2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
    ]);
  });

  it('collects each failure with its item and goes on with the others', async () => {
    // Act
    const result = await mapSettled(
      ['a', 'b', 'c', 'd'],
      async (item) => {
        if (item === 'b') throw new Error('throttled');
        if (item === 'c') throw 'not an error object';
        return item.toUpperCase();
      },
      { concurrency: 2 },
    );

    // Assess
    expect(result.succeeded).toEqual([
      { item: 'a', value: 'A' },
      { item: 'd', value: 'D' },
    ]);
    expect(result.failed.map(({ item, error }) => [item, error.message])).toEqual([
      ['b', 'throttled'],
      ['c', 'not an error object'],
    ]);
    expect(result.notStarted).toEqual([]);
  });

  it('starts nothing new once the time budget is exhausted and returns the rest', async () => {
    // Prepare
    let started = 0;
    const budget = { remainingMs: () => 0, isExhausted: () => started >= 2 };

    // Act
    const result = await mapSettled(
      [1, 2, 3, 4, 5],
      async (n) => {
        started += 1;
        return n;
      },
      { concurrency: 1, budget },
    );

    // Assess
    expect(result.succeeded.map(({ item }) => item)).toEqual([1, 2]);
    expect(result.notStarted).toEqual([3, 4, 5]);
  });
});
