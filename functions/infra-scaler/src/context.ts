import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Observability } from '@nightshift/middleware';
import type { Report, TimeBudget } from '@nightshift/runtime';
import type { ScalerConfig } from './config.ts';

/** The clients and observability a run uses. */
export interface ScalerDeps extends Observability {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  rds: RDSClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
  now?: () => Date;
  /** Waits between polls of started instances (tests pass one that returns at once). */
  sleep?: (ms: number) => Promise<void>;
}

/** Everything one action needs: what to act on, how, and where to report. */
export interface ActionContext {
  deps: ScalerDeps;
  config: ScalerConfig;
  environment: string;
  dryRun: boolean;
  now: Date;
  budget: TimeBudget;
  report: Report;
}

/** Counts an action publishes as metrics. */
export type ActionCounts = Record<string, number>;
