/**
 * EC2-style tag filters: `{ Environment: 'staging' }` matches that value, a `null` value
 * matches any value of the key.
 *
 * @example
 * tagFilters({ Environment: 'staging', 'nightshift:schedule': null });
 */
export const tagFilters = (tags: Record<string, string | null>) =>
  Object.entries(tags).map(([key, value]) =>
    value === null ? { Name: 'tag-key', Values: [key] } : { Name: `tag:${key}`, Values: [value] },
  );
