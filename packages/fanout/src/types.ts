/** One place a job runs: an account (12 digits) and a region. */
export interface Target {
  accountId: string;
  region: string;
}

/** One item a target's job could not do, as its report lists it. */
export interface FailedEntry {
  id: string;
  action: string;
  reason: string;
}

/** What a target's job reports back: its figures and the items it could not do. */
export interface WorkResult {
  /** `failed` when the job ran but some items failed: retried like a throw. */
  status: 'done' | 'failed';
  /** The job's report totals (`snapshotsDeleted: 12`). */
  totals?: Record<string, number>;
  /** The job report's failed entries. */
  failed?: readonly FailedEntry[];
}

/** What one attempt at a target came to, as `recordTarget` writes it. */
export interface TargetOutcome {
  status: 'done' | 'failed';
  /** How many times the target's message was received so far (this attempt included). */
  attempts: number;
  totals?: Record<string, number>;
  failed?: readonly FailedEntry[];
  /** Why the attempt failed (`TargetError: AccessDenied …`). */
  error?: string;
}

/** A target as one text, `<accountId>#<region>`: its key in the runs table. */
export const targetKey = ({ accountId, region }: Target): string => `${accountId}#${region}`;

/** The target of a `targetKey`. */
export const targetOfKey = (key: string): Target => {
  const [accountId = '', region = ''] = key.split('#');
  return { accountId, region };
};

/** Orders targets by account, then region. */
export const compareTargets = (a: Target, b: Target): number =>
  a.accountId === b.accountId
    ? a.region.localeCompare(b.region, 'en')
    : a.accountId.localeCompare(b.accountId, 'en');
