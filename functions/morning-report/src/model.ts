import type { ResourceKind } from '@nightshift/history';

/** A priced unit of a stopped resource: one billed instance of a type. */
export interface Unit {
  service: 'ec2' | 'rds';
  /** `t3.micro`, `db.r6g.large`. */
  type: string;
  /** RDS only: the engine (`postgres`, `aurora-postgresql`). */
  engine?: string;
}

/** One stretch of time a resource was stopped by Nightshift. */
export interface StoppedInterval {
  account: string;
  region: string;
  kind: ResourceKind;
  id: string;
  /** ISO times; `to` is the report's time while it is still stopped. */
  from: string;
  to: string;
  ongoing: boolean;
  /** What it bills when running: a Multi-AZ database is two units, a cluster one per member. */
  units: Unit[];
}

/** Money and hours over one window (the last 24 hours, or the month so far). */
export interface SavingsWindow {
  /** ISO times. */
  from: string;
  to: string;
  /** Resource-hours stopped (a resource stopped 10 h counts 10, whatever its units). */
  resourceHours: number;
  /** Instance-hours stopped: each unit's hours (a Multi-AZ database stopped 10 h counts 20). */
  instanceHours: number;
  /** The estimate in USD, of the units whose price was read. */
  usd: number;
  /** Instance-hours of units whose price could not be read (counted in hours only). */
  unpricedInstanceHours: number;
  /** GiB of source volumes of the snapshots deleted. */
  snapshotGiBDeleted: number;
  /** What the deleted snapshots would have cost a month (GiB × the EBS snapshot price); undefined without a price. */
  snapshotUsdPerMonth?: number;
}

/** A resource tagged `Backup=true` and its newest completed backup. */
export interface Coverage {
  account: string;
  region: string;
  kind: 'instance' | 'db-instance' | 'db-cluster';
  id: string;
  name?: string;
  /** ISO time of the newest completed backup; absent when there is none. */
  newestBackupAt?: string;
  /** Where that backup is: `EBS snapshots`, `RDS snapshot`, `AWS Backup`. */
  source?: string;
  /** Hours since the newest backup; absent when there is none. */
  ageHours?: number;
  /** Older than the expected interval + 2 hours, or none at all. */
  missing: boolean;
}

/** Something a person should look at. */
export interface Attention {
  category: 'failed' | 'fell back to stopped' | 'idle' | 'last backup of a deleted volume';
  service: string;
  account: string;
  region: string;
  id: string;
  action: string;
  reason: string;
  /** ISO time of the run that saw it. */
  at: string;
}

/** Everything the morning report says, computed once and rendered three ways. */
export interface MorningReport {
  environment: string;
  /** ISO time the report was made. */
  generatedAt: string;
  /** The report's time zone (the month starts at its midnight). */
  timezone: string;
  yesterday: SavingsWindow;
  month: SavingsWindow;
  /** The resources still stopped now. */
  stoppedNow: number;
  /** The types whose price could not be read (`ec2 t3.micro in eu-west-1`). */
  unpriced: string[];
  coverage: {
    protected: number;
    missing: Coverage[];
    /** Hours a backup may be old before it is missing (the interval + 2). */
    allowedAgeHours: number;
  };
  attention: Attention[];
  /** Runs read from the history, and of them how many failed something. */
  runs: { total: number; withFailures: number };
  /** The CloudWatch dashboard with the details. */
  dashboardUrl?: string;
  /** What a reader must know (estimates, what could not be read). */
  notes: string[];
}
