/** A tag as every AWS service writes it (EC2, RDS, Auto Scaling). */
export interface Tag {
  Key?: string;
  Value?: string;
}

/**
 * The value of a tag, or undefined.
 *
 * @example
 * tagValue(instance.Tags, 'Name'); // 'web-1'
 */
export const tagValue = (tags: readonly Tag[] | undefined, key: string): string | undefined =>
  tags?.find((tag) => tag.Key === key)?.Value;
