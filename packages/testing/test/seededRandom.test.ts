import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/seededRandom.ts';

const take = (random: () => number, count: number) => Array.from({ length: count }, random);

describe('seededRandom', () => {
  it('gives the same sequence for the same seed', () => {
    // Act
    const first = take(seededRandom(7), 50);
    const second = take(seededRandom(7), 50);

    // Assess
    expect(second).toEqual(first);
  });

  it('gives the documented mulberry32 numbers, so every machine repeats a run', () => {
    // Act
    const fortyTwo = take(seededRandom(42), 3);
    const zero = take(seededRandom(0), 2);

    // Assess
    expect(fortyTwo).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(zero).toEqual([0.26642920868471265, 0.0003297457005828619]);
  });

  it('gives different sequences for different seeds', () => {
    // Act
    const sequences = [1, 2, 3, 42, 1_000_003].map((seed) => take(seededRandom(seed), 5));

    // Assess
    const firsts = new Set(sequences.map((sequence) => sequence.join()));
    expect(firsts.size).toBe(sequences.length);
  });

  it('keeps a separate state per generator', () => {
    // Prepare
    const a = seededRandom(9);
    const b = seededRandom(9);
    const alone = take(seededRandom(9), 4);

    // Act
    const interleaved = [a(), b(), a(), b(), a(), a()];

    // Assess
    expect(interleaved).toEqual([alone[0], alone[0], alone[1], alone[1], alone[2], alone[3]]);
  });

  it('draws numbers in [0, 1) spread over the whole range', () => {
    // Prepare
    const random = seededRandom(123);

    // Act
    const values = take(random, 10_000);

    // Assess
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const tenths = Array.from({ length: 10 }, () => 0);
    for (const value of values)
      tenths[Math.floor(value * 10)] = (tenths[Math.floor(value * 10)] ?? 0) + 1;
    for (const count of tenths) {
      expect(count).toBeGreaterThan(850);
      expect(count).toBeLessThan(1_150);
    }
    expect(new Set(values).size).toBeGreaterThan(9_990);
  });

  it('takes any number as a seed, negative and fractional ones too', () => {
    // Act
    const values = [-1, 3.7, 2 ** 40].flatMap((seed) => take(seededRandom(seed), 20));

    // Assess
    expect(values.every((value) => Number.isFinite(value) && value >= 0 && value < 1)).toBe(true);
  });
});
