/**
 * The original backup script's timestamp (`%Y%m%d-%H%M%S`), `days` before now, as it named
 * its DB snapshots (`<database>-backup-<stamp>`): for seeding the backups it left behind.
 *
 * @example
 * `orders-backup-${originalBackupStamp(20)}`; // 'orders-backup-20261109-010000'
 */
export const originalBackupStamp = (days: number, now = Date.now()): string =>
  new Date(now - days * 86_400_000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .slice(0, 15);
