import type { ReportCounts } from '@nightshift/runtime';

/** One report entry as the history keeps it. */
export interface HistoryItem {
  /** The report list it was in. */
  list: 'done' | 'failed' | 'skipped';
  id: string;
  action: string;
  reason: string;
  details?: Record<string, string | number | boolean>;
}

/** Where a run ran: its environment, and the account and Region it acted on. */
export interface RunOrigin {
  environment: string;
  account: string;
  region: string;
}

/** The compact summary of one run (or one fan-out target's run) in the history. */
export interface RunRecord extends RunOrigin {
  service: string;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  counts: ReportCounts;
  totals: Record<string, number>;
  /** Every done and failed entry, and the skipped ones that carry `attention`. */
  items: HistoryItem[];
  /** How many items were left out to keep the record within DynamoDB's item size. */
  truncated?: number;
}
