/** On an instance or database that scale_down stopped: when it did. */
export const SCALED_DOWN_KEY = 'nightshift:scaled-down';
/** On an Auto Scaling group that scale_down emptied: the sizes to restore. */
export const SAVED_SIZE_KEY = 'nightshift:saved-size';
/** The tag Auto Scaling puts on the instances of a group. */
export const GROUP_NAME_KEY = 'aws:autoscaling:groupName';

/** An Auto Scaling group's sizes. */
export interface GroupSize {
  min: number;
  max: number;
  desired: number;
}

/**
 * The saved-size tag value of a group.
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
