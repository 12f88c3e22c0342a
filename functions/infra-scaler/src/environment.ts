import { type Tag, tagValue } from '@nightshift/conventions';

/**
 * The characters AWS allows in a tag value (ASCII only): what an environment name may hold.
 * No wildcard (`*`, `?`), escape (`\`), comma or control character can pass, so the name
 * reaches EC2, Auto Scaling and RDS as a plain value, never as a pattern.
 */
export const PLAIN_TAG_VALUE = /^[A-Za-z0-9 _.:/=+@-]+$/;

/** `prod`, `production`, `prd`, alone or followed by anything but a letter (`prod-eu`, `prd2`). */
const PRODUCTION_LIKE = /^(?:prod|production|prd)(?:[^a-z]|$)/i;

/**
 * Whether a name looks like production: `prod`, `production` or `prd`, in any case, alone
 * or followed by a character that is not a letter (`prod-eu`, `PROD_2`, `production.us`).
 * `product` or `preprod` are not.
 *
 * @example
 * isProductionLike('Prod-EU'); // true
 */
export const isProductionLike = (name: string): boolean => PRODUCTION_LIKE.test(name);

const PLAIN_MESSAGE =
  'must be a plain tag value: letters, digits, spaces and _ . : / = + - @ only (no wildcard such as * or ?)';

/**
 * Why the function must not act on `environment`, or undefined when it may. With
 * `scaled` (from `SCALED_ENVIRONMENTS`) the environment must be one of those names,
 * exactly; without, any plain name that is not production-like is allowed.
 *
 * @example
 * environmentIssue('production', []); // 'is production-like …'
 * environmentIssue('staging', ['dev']); // 'is not one of …'
 */
export const environmentIssue = (
  environment: string,
  scaled: readonly string[],
): string | undefined => {
  if (!PLAIN_TAG_VALUE.test(environment)) return PLAIN_MESSAGE;
  if (scaled.length > 0) {
    return scaled.includes(environment)
      ? undefined
      : `${environment} is not one of the environments this function scales (SCALED_ENVIRONMENTS: ${scaled.join(', ')})`;
  }
  return isProductionLike(environment)
    ? `${environment} is production-like (prod, production, prd, prod-…), which is scaled only when SCALED_ENVIRONMENTS names it`
    : undefined;
};

/**
 * Whether `tags` hold `key=value` exactly (same case). Tag filters are not trusted alone:
 * every resource is checked again with this before anything is done to it.
 *
 * @example
 * hasExactTag([{ Key: 'Environment', Value: 'Staging' }], 'Environment', 'staging'); // false
 */
export const hasExactTag = (tags: readonly Tag[] | undefined, key: string, value: string) =>
  tagValue(tags, key) === value;

/**
 * Why a resource a tag filter returned is not one to act on, or undefined when its tags
 * hold `Environment=<environment>` and every other required tag, exactly.
 *
 * @example
 * tagMismatch(tags, { Environment: 'staging', AutoScale: 'true' }); // 'tagged Environment=Staging, not staging'
 */
export const tagMismatch = (
  tags: readonly Tag[] | undefined,
  required: Record<string, string>,
): string | undefined => {
  for (const [key, value] of Object.entries(required)) {
    if (hasExactTag(tags, key, value)) continue;
    const actual = tagValue(tags, key);
    return actual === undefined
      ? `not tagged ${key}=${value}`
      : `tagged ${key}=${actual}, not ${key}=${value}`;
  }
  return undefined;
};
