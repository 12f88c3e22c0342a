import { maskSecrets, toSnsSubject } from '@nightshift/runtime';
import { compareTargets, type FailedEntry, type Target, targetKey } from './types.ts';

/** A target's final result, as the runs table holds it. */
export interface TargetResult {
  target: Target;
  status: 'done' | 'failed';
  totals: Record<string, number>;
  /** Its first failed entries (at most 10 are kept). */
  failed: FailedEntry[];
  /** How many failed entries the job reported in all. */
  failedCount: number;
  /** Why the target failed. */
  error?: string;
}

/** One of a run's worst failures: a failed target (no `id`), or an item a target's job failed. */
export interface RunFailure {
  target: Target;
  /** The failed item's id, for a failed entry. */
  id?: string;
  /** What the job tried to do to it, for a failed entry. */
  action?: string;
  reason: string;
}

/** One report per run: what every target came to. */
export interface RunSummary {
  runId: string;
  function: string;
  startedAt?: string;
  deadline?: string;
  /** When the summary was made. */
  summaryAt: string;
  /** How many targets the run has. */
  targets: number;
  done: number;
  failed: number;
  /** Targets with no final result yet. */
  pending: number;
  /** The pending targets, by name (account, then region). */
  pendingTargets: Target[];
  /** Each numeric total summed over the targets that reported. */
  totals: Record<string, number>;
  /** Failed entries reported by the targets' jobs, in all. */
  failedEntries: number;
  /** Up to 5: failed targets with their error first, then failed entries. */
  worstFailures: RunFailure[];
}

/** Worst failures a summary lists. */
export const MAX_WORST_FAILURES = 5;
/** Pending targets a rendered summary names one by one. */
export const MAX_PENDING_LISTED = 100;

/**
 * The summary of a run from its header, its list of targets and the target items.
 *
 * @example
 * summarizeRun({ runId, function: 'snapshot-cleanup', expected: 6, targets, results, now });
 */
export const summarizeRun = ({
  runId,
  function: functionName,
  expected,
  startedAt,
  deadline,
  targets,
  results,
  now,
}: {
  runId: string;
  function: string;
  /** The number of targets the header expects. */
  expected: number;
  startedAt?: string;
  deadline?: string;
  /** The run's targets, as dispatched. */
  targets: readonly Target[];
  results: readonly TargetResult[];
  now: Date;
}): RunSummary => {
  const sorted = [...results].sort((a, b) => compareTargets(a.target, b.target));
  const reported = new Set(sorted.map((result) => targetKey(result.target)));
  const pendingTargets = targets
    .filter((target) => !reported.has(targetKey(target)))
    .sort(compareTargets);
  const done = sorted.filter((result) => result.status === 'done').length;
  const failed = sorted.length - done;
  const count = Math.max(expected, sorted.length + pendingTargets.length);
  const totals: Record<string, number> = {};
  for (const result of sorted) {
    for (const [name, value] of Object.entries(result.totals)) {
      totals[name] = (totals[name] ?? 0) + value;
    }
  }
  const failedTargets: RunFailure[] = sorted
    .filter((result) => result.status === 'failed')
    .map((result) => ({ target: result.target, reason: result.error ?? 'failed' }));
  const failedItems: RunFailure[] = sorted.flatMap((result) =>
    result.failed.map((entry) => ({ target: result.target, ...entry })),
  );
  return {
    runId,
    function: functionName,
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(deadline === undefined ? {} : { deadline }),
    summaryAt: now.toISOString(),
    targets: count,
    done,
    failed,
    pending: count - sorted.length,
    pendingTargets,
    totals,
    failedEntries: sorted.reduce((total, result) => total + result.failedCount, 0),
    worstFailures: [...failedTargets, ...failedItems].slice(0, MAX_WORST_FAILURES),
  };
};

const where = ({ accountId, region }: Target): string => `${accountId} ${region}`;

/**
 * The summary as an SNS notification: a one-line subject (under 100 characters, ASCII)
 * and a plain-text message for people.
 *
 * @example
 * renderSummary(summary).subject; // 'Nightshift snapshot-cleanup: 5 of 6 targets done, 1 failed'
 */
export const renderSummary = (summary: RunSummary): { subject: string; message: string } => {
  const outcome =
    summary.targets === 0
      ? 'no targets'
      : [
          `${summary.done} of ${summary.targets} targets done`,
          ...(summary.failed > 0 ? [`${summary.failed} failed`] : []),
          ...(summary.pending > 0 ? [`${summary.pending} pending`] : []),
        ].join(', ');
  const lines = [
    `${summary.function}: run ${summary.runId}`,
    [
      summary.startedAt ? `started ${summary.startedAt}` : undefined,
      summary.deadline ? `deadline ${summary.deadline}` : undefined,
      `summary at ${summary.summaryAt}`,
    ]
      .filter((part) => part !== undefined)
      .join(', '),
    `targets ${summary.targets}: done ${summary.done}, failed ${summary.failed}, pending ${summary.pending}`,
    ...(summary.failedEntries > 0 ? [`failed items reported: ${summary.failedEntries}`] : []),
    ...Object.entries(summary.totals)
      .sort(([a], [b]) => a.localeCompare(b, 'en'))
      .map(([name, value]) => `${name}: ${value}`),
  ];
  if (summary.worstFailures.length > 0) {
    lines.push('', `WORST FAILURES (${summary.worstFailures.length})`);
    for (const failure of summary.worstFailures) {
      lines.push(
        failure.id === undefined
          ? `- ${where(failure.target)}: ${failure.reason}`
          : `- ${where(failure.target)}: ${failure.id}: ${failure.action ?? '-'}: ${failure.reason}`,
      );
    }
  }
  if (summary.pending > 0) {
    const listed = summary.pendingTargets.slice(0, MAX_PENDING_LISTED);
    lines.push('', `PENDING (${summary.pending}): no result by the time of the summary`);
    for (const target of listed) lines.push(`- ${where(target)}`);
    const unnamed = summary.pending - listed.length;
    if (unnamed > 0) lines.push(`- and ${unnamed} more`);
  }
  lines.push('', `Every target's result is in the runs table under pk run#${summary.runId}.`);
  return {
    subject: toSnsSubject(`Nightshift ${summary.function}: ${outcome}`),
    message: maskSecrets(lines.join('\n')),
  };
};
