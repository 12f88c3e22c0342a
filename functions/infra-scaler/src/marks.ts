import type { GroupSize } from '@nightshift/inventory';

/**
 * The saved-size tag value of a group (`nightshift:saved-size`).
 *
 * @example
 * encodeSize({ min: 2, max: 5, desired: 3 }); // 'min=2,max=5,desired=3'
 */
export const encodeSize = ({ min, max, desired }: GroupSize): string =>
  `min=${min},max=${max},desired=${desired}`;

/**
 * Reads a saved-size tag value back, or undefined when it is not one (edited by hand).
 *
 * @example
 * decodeSize('min=2,max=5,desired=3'); // { min: 2, max: 5, desired: 3 }
 */
export const decodeSize = (value: string | undefined): GroupSize | undefined => {
  const match = /^min=(\d+),max=(\d+),desired=(\d+)$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [min, max, desired] = match.slice(1).map(Number) as [number, number, number];
  return min <= desired && desired <= max ? { min, max, desired } : undefined;
};
