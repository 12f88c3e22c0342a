/**
 * A map that keeps at most `max` entries: reading or writing an entry makes it the most
 * recently used, and writing past `max` drops the least recently used.
 *
 * @example
 * const clients = createLru<string, EC2Client>(64);
 * clients.set('111111111111 eu-west-1', ec2);
 */
export const createLru = <K, V>(max: number) => {
  const entries = new Map<K, V>();
  return {
    get(key: K): V | undefined {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key: K, value: V): void {
      entries.delete(key);
      entries.set(key, value);
      for (const oldest of entries.keys()) {
        if (entries.size <= max) break;
        entries.delete(oldest);
      }
    },
    clear(): void {
      entries.clear();
    },
  };
};
