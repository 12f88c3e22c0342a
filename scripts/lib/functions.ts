// The one list of Nightshift's functions: every folder under functions/ whose package.json
// has a `nightshift` manifest. Build, invoke, deploy, bench, demo, vitest and the template
// read it from here; nothing else lists functions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How a function is triggered in AWS. */
export const TRIGGERS = ['schedule', 'event-rule', 'log-subscription', 'function-url'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** What a function's `package.json` says about it under `nightshift`. */
export interface FunctionManifest {
  /** The folder name, the service name in logs and reports (`snapshot-cleanup`). */
  name: string;
  /** The template's logical-id prefix (`SnapshotCleanup` → `SnapshotCleanupFunction`). */
  resource: string;
  /** The package's description. */
  description: string;
  trigger: Trigger;
  /** Whether a run can plan and report without changing anything. */
  dryRun: boolean;
  /** For a function without a dry run: what any run does anyway (said when one is refused). */
  runsAnyway?: string;
  /** The event a deploy invokes to check the function runs, relative to its folder. */
  smokeEvent: string;
  /** The EMF metrics the function emits (namespace Nightshift). */
  metrics: string[];
  /** The period of its dashboard widget, in seconds (default 3600): a day for a daily job. */
  dashboardPeriod: number;
  /**
   * Whether it runs across the accounts and regions of TargetAccounts × TargetRegions
   * (scripts/template/fanout.yaml); default false.
   */
  fanout: boolean;
  /**
   * Whether it posts to the Slack and Teams webhooks of SlackWebhookParameter and
   * TeamsWebhookParameter (scripts/template/webhooks.yaml); default false.
   */
  webhooks: boolean;
  /**
   * Whether it writes its runs' records to the run history, as every job on `jobHandler`
   * does (scripts/template/history.yaml); default false.
   */
  history: boolean;
  /**
   * Its dashboard widgets, each some of its metrics; default one widget of all of them.
   * A widget's `stat` is `Sum` unless said (`Maximum` for a level such as backups missing).
   */
  widgets: DashboardWidget[];
}

/** One dashboard widget of a function's own metrics. */
export interface DashboardWidget {
  title: string;
  metrics: string[];
  view: 'timeSeries' | 'bar' | 'singleValue';
  stat: 'Sum' | 'Maximum' | 'Average';
}

const VIEWS = ['timeSeries', 'bar', 'singleValue'] as const;
const STATS = ['Sum', 'Maximum', 'Average'] as const;

/** The manifest's `widgets`, checked: each names a title and metrics the manifest lists. */
const widgetsOf = (
  m: Record<string, unknown>,
  metrics: readonly string[],
  fail: (message: string) => never,
): DashboardWidget[] | undefined => {
  if (m.widgets === undefined) return undefined;
  if (!Array.isArray(m.widgets) || m.widgets.length === 0)
    fail('nightshift.widgets must be a non-empty list of widgets');
  return (m.widgets as unknown[]).map((raw, index) => {
    const widget = (raw ?? {}) as Record<string, unknown>;
    const at = `nightshift.widgets[${index}]`;
    if (typeof widget.title !== 'string' || widget.title.length === 0)
      fail(`${at}.title must be a non-empty string`);
    if (
      !Array.isArray(widget.metrics) ||
      widget.metrics.length === 0 ||
      !widget.metrics.every((metric) => typeof metric === 'string' && metrics.includes(metric))
    )
      fail(`${at}.metrics must name metrics of nightshift.metrics`);
    const view = widget.view ?? 'timeSeries';
    if (!VIEWS.includes(view as DashboardWidget['view']))
      fail(`${at}.view must be one of ${VIEWS.join(', ')}`);
    const stat = widget.stat ?? 'Sum';
    if (!STATS.includes(stat as DashboardWidget['stat']))
      fail(`${at}.stat must be one of ${STATS.join(', ')}`);
    return {
      title: widget.title as string,
      metrics: widget.metrics as string[],
      view: view as DashboardWidget['view'],
      stat: stat as DashboardWidget['stat'],
    };
  });
};

/** A manifest that does not say what it must: names the package and the field. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** `snapshot-cleanup` → `SnapshotCleanup`. */
export const toResourceName = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Whether `name` can name a function: lower-case words joined by hyphens.
 *
 * @example
 * isFunctionName('cost-reporter'); // true
 * isFunctionName('../x'); // false
 */
export const isFunctionName = (name: string): boolean => NAME.test(name);

/**
 * Reads and checks one function's manifest.
 *
 * @example
 * readManifest(root, 'snapshot-cleanup').trigger; // 'schedule'
 */
export const readManifest = (root: string, name: string): FunctionManifest => {
  const file = join(root, 'functions', name, 'package.json');
  const where = `functions/${name}/package.json`;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const manifest = pkg.nightshift as Record<string, unknown> | undefined;
  const fail = (message: string): never => {
    throw new ManifestError(`${where}: ${message}`);
  };
  if (!isFunctionName(name)) fail('the folder name must be lower-case words joined by hyphens');
  if (pkg.name !== `@nightshift/${name}`) fail(`"name" must be "@nightshift/${name}"`);
  if (!manifest || typeof manifest !== 'object') fail('has no "nightshift" manifest');
  const m = manifest as Record<string, unknown>;
  if (!TRIGGERS.includes(m.trigger as Trigger))
    fail(`nightshift.trigger must be one of ${TRIGGERS.join(', ')}`);
  if (typeof m.dryRun !== 'boolean') fail('nightshift.dryRun must be true or false');
  if (m.dryRun === false && (typeof m.runsAnyway !== 'string' || m.runsAnyway.length === 0))
    fail('nightshift.runsAnyway must say what a run does, since it has no dry run');
  if (typeof m.smokeEvent !== 'string' || !existsSync(join(root, 'functions', name, m.smokeEvent)))
    fail('nightshift.smokeEvent must name an event file of the function');
  if (!Array.isArray(m.metrics) || !m.metrics.every((metric) => typeof metric === 'string'))
    fail('nightshift.metrics must be a list of metric names');
  if (m.fanout !== undefined && typeof m.fanout !== 'boolean')
    fail('nightshift.fanout must be true or false');
  if (m.webhooks !== undefined && typeof m.webhooks !== 'boolean')
    fail('nightshift.webhooks must be true or false');
  if (m.history !== undefined && typeof m.history !== 'boolean')
    fail('nightshift.history must be true or false');
  // CloudWatch takes 60 s or a multiple of it.
  if (
    m.dashboardPeriod !== undefined &&
    !(
      Number.isInteger(m.dashboardPeriod) &&
      (m.dashboardPeriod as number) % 60 === 0 &&
      (m.dashboardPeriod as number) > 0
    )
  )
    fail(
      'nightshift.dashboardPeriod must be a whole number of minutes, in seconds (300, 3600, 86400)',
    );
  return {
    name,
    resource: toResourceName(name),
    description: typeof pkg.description === 'string' ? pkg.description : '',
    trigger: m.trigger as Trigger,
    dryRun: m.dryRun as boolean,
    ...(typeof m.runsAnyway === 'string' ? { runsAnyway: m.runsAnyway } : {}),
    smokeEvent: m.smokeEvent as string,
    metrics: m.metrics as string[],
    dashboardPeriod: (m.dashboardPeriod as number | undefined) ?? 3600,
    fanout: m.fanout === true,
    webhooks: m.webhooks === true,
    history: m.history === true,
    widgets: widgetsOf(m, m.metrics as string[], fail) ?? [
      { title: name, metrics: m.metrics as string[], view: 'timeSeries', stat: 'Sum' },
    ],
  };
};

/**
 * Every function of the repository, sorted by name.
 *
 * @example
 * listFunctions(root).map((fn) => fn.name); // ['backup-manager', 'deploy-notifier', ...]
 */
export const listFunctions = (root: string): FunctionManifest[] => {
  const dir = join(root, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => readManifest(root, name));
};
