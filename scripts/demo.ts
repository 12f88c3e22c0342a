// One night of Nightshift on an emulated AWS account, through the built bundles exactly
// as Lambda loads them. Prints a timeline and exits 0 only when every step did what it
// should. Every function of the list runs at least once: those the night's story has no
// step for run with their smoke event afterwards.
//   node scripts/demo.ts   (npm run demo sets everything up first)
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  invokeBundle,
  type MotoServer,
  startMoto,
  startWebhookReceiver,
  subscribeQueue,
} from '@nightshift/testing';
import {
  DEMO_PRICES,
  HISTORY_TABLE,
  hoursAgo,
  launchUnprotected,
  seedHistory,
} from './demo/report.ts';
import { demoSchedules } from './demo/schedules.ts';
import { type DemoAccount, seedAccount } from './demo/seed.ts';
import {
  eveningSchedule,
  instanceState,
  instanceTags,
  launchScheduled,
  pageTitle,
  readChatMessage,
  seedActions,
  serveFunctionUrl,
} from './demo/snooze.ts';
import { listFunctions } from './lib/functions.ts';
import { readSmokeEvent } from './lib/smokeEvent.ts';

const root = resolve(import.meta.dirname, '..');
const bundle = (name: string) => resolve(root, 'dist', name, 'index.mjs');
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const SNOOZE = 'nightshift:snooze-until';
const problems: string[] = [];
const expect = (ok: boolean, what: string) => {
  console.log(`    ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};

type Entry = {
  id: string;
  action: string;
  reason: string;
  details?: Record<string, string | number | boolean>;
};
type Report = {
  dryRun: boolean;
  planned: Entry[];
  done: Entry[];
  skipped: Entry[];
  failed: Entry[];
};
const printReport = (report: Report | undefined) => {
  if (!report?.done) return;
  const show = (label: string, entries: Report['done'], limit = 6) => {
    for (const entry of entries.slice(0, limit))
      console.log(`    ${label} ${entry.id}: ${entry.action}: ${entry.reason}`);
    if (entries.length > limit) console.log(`    ${label} ... and ${entries.length - limit} more`);
  };
  show('done   ', report.done);
  show('skipped', report.skipped, 4);
  show('failed ', report.failed);
};

/** What the demo looks at before and after each step. */
const observe = async (account: DemoAccount) => {
  const ec2 = new EC2Client({});
  const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({}));
  const instances = Reservations.flatMap((r) => r.Instances ?? []);
  const state = (id: string) => instances.find((i) => i.InstanceId === id)?.State?.Name ?? 'gone';
  const { AutoScalingGroups: [group] = [] } = await new AutoScalingClient({}).send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [account.group] }),
  );
  const rds = new RDSClient({});
  const { DBInstances = [] } = await rds.send(new DescribeDBInstancesCommand({}));
  const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  const { DBSnapshots = [] } = await rds.send(
    new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }),
  );
  return {
    web: state(account.stagingWeb),
    worker: state(account.stagingWorker),
    stoppedByPerson: state(account.stoppedByPerson),
    production: state(account.productionApi),
    scheduled: {
      officeWeb: state(account.scheduled.officeWeb),
      snoozed: state(account.scheduled.snoozed),
      onHoliday: state(account.scheduled.onHoliday),
      batch: state(account.scheduled.batch),
    },
    group: `${group?.MinSize}/${group?.MaxSize}/${group?.DesiredCapacity}`,
    stagingDb: DBInstances.find((db) => db.DBInstanceIdentifier === account.stagingDb)
      ?.DBInstanceStatus,
    snapshots: Snapshots.map((s) => s.SnapshotId ?? ''),
    dbSnapshots: DBSnapshots.map((s) => s.DBSnapshotIdentifier ?? ''),
  };
};
const printState = (label: string, state: Awaited<ReturnType<typeof observe>>) =>
  console.log(
    `    ${label}: staging web ${state.web}, worker ${state.worker}, stopped-by-a-person ${state.stoppedByPerson}, production ${state.production}; group ${state.group}; staging db ${state.stagingDb}; ${state.snapshots.length} EBS and ${state.dbSnapshots.length} RDS snapshots`,
  );

/** What the demo reads of the morning report's result. */
type MorningResult = {
  report: {
    yesterday: { instanceHours: number; usd: number; snapshotGiBDeleted: number };
    coverage: { missing: { id: string }[] };
    attention: { category: string; id: string }[];
  };
};

/** A local stand-in for the Slack and Teams webhooks. */
const startReceiver = () =>
  startWebhookReceiver<{
    text?: string;
    attachments?: { content?: { body?: { text?: string }[] } }[];
  }>();

const main = async () => {
  console.log(bold('Nightshift demo: one night on an emulated AWS account'));
  const built = spawnSync(process.execPath, [resolve(root, 'scripts/build.ts')], {
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('the build failed');

  const functions = listFunctions(root);
  const ran = new Set<string>();
  let moto: MotoServer | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  const receiver = await startReceiver();
  try {
    moto = await startMoto();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    console.log(`\n${bold('Seeding the account')} (moto at ${moto.endpoint})`);
    const account = await seedAccount(moto);
    const sns = new SNSClient({});
    const reports = await subscribeQueue({
      sns,
      sqs: new SQSClient({}),
      topicArn: account.reportsTopic,
    });
    const alerts = await subscribeQueue({
      sns,
      sqs: new SQSClient({}),
      topicArn: account.alertsTopic,
    });
    await seedHistory('eu-west-1');
    const env = {
      HISTORY_TABLE,
      NIGHTSHIFT_ENVIRONMENT: 'demo',
      DASHBOARD_NAME: 'nightshift-demo',
      SNS_TOPIC_ARN: account.reportsTopic,
      ALERT_TOPIC_ARN: account.alertsTopic,
      SLACK_WEBHOOK_URL: `${receiver.base}/slack/services/T000/B000/demo`,
      TEAMS_WEBHOOK_URL: `${receiver.base}/teams/workflows/demo`,
    };
    const start = await observe(account);
    printState('account', start);

    const step = async (
      time: string,
      title: string,
      name: string,
      event: unknown,
      extraEnv: Record<string, string> = {},
    ) => {
      if (!functions.some((fn) => fn.name === name)) throw new Error(`no function named ${name}`);
      ran.add(name);
      console.log(`\n${bold(`${time}  ${title}`)}  (${name})`);
      const before = await observe(account);
      const { result, error } = await invokeBundle<Report>(bundle(name), event, {
        env: { ...env, ...extraEnv },
        functionName: name,
      });
      if (error) console.log(`    invocation failed: ${error.name}: ${error.message}`);
      printReport(result);
      const after = await observe(account);
      return { result, error, before, after };
    };

    // 1. A deployment fails.
    const notice = await step(
      '18:42',
      'a deployment fails',
      'deploy-notifier',
      account.failedDeployment,
    );
    for (const post of receiver.posts) {
      const text = post.body.text ?? post.body.attachments?.[0]?.content?.body?.[0]?.text;
      console.log(`    webhook ${post.path.split('/')[1]} received: "${text}"`);
    }
    expect(
      !notice.error && receiver.posts.length === 2,
      'Slack and Teams each received the failure',
    );

    // 2. Staging goes to sleep.
    // The night's jobs run on a clock moved back to their hour, so that the run history,
    // and the morning report, see the night's hours.
    const down = await step(
      '19:00',
      'staging goes to sleep',
      'infra-scaler',
      { action: 'scale_down', environment: 'staging' },
      hoursAgo(13),
    );
    printState('after', down.after);
    expect(
      down.after.web === 'stopped' && down.after.worker === 'stopped',
      'staging instances stopped',
    );
    expect(
      down.after.group === '0/5/0' && down.after.stagingDb === 'stopped',
      'group emptied, staging database stopped',
    );
    expect(down.after.production === 'running', 'production untouched');

    // 2b. Per-resource schedules, in their own time zones.
    const document = demoSchedules(new Date());
    console.log(`\n    schedules: ${JSON.stringify(document)}`);
    const schedules = { SCHEDULES: JSON.stringify(document) };
    const reconcile = await step(
      '19:05',
      'per-resource schedules: office hours in Berlin, a holiday, a snooze, a night batch in New York',
      'infra-scaler',
      { action: 'reconcile' },
      schedules,
    );
    const scheduled = reconcile.after.scheduled;
    console.log(
      `    after: dev-web ${scheduled.officeWeb}, dev-debug (snoozed) ${scheduled.snoozed}, dev-berlin-team ${scheduled.onHoliday}, dev-batch ${scheduled.batch}`,
    );
    expect(
      !reconcile.error && scheduled.officeWeb === 'stopped',
      'office hours are over in Berlin: dev-web stopped',
    );
    expect(scheduled.snoozed === 'running', 'the snoozed instance keeps running');
    expect(scheduled.onHoliday === 'stopped', "the Berlin team's holiday: its instance stopped");
    expect(scheduled.batch === 'running', 'the night batch window is open in New York: started');
    const quiet = await step(
      '19:10',
      'the next reconcile: everything in its due state',
      'infra-scaler',
      { action: 'reconcile' },
      schedules,
    );
    expect(
      !quiet.error &&
        quiet.result?.done.length === 0 &&
        JSON.stringify(quiet.after.scheduled) === JSON.stringify(scheduled),
      'nothing changed, and no report is published for a quiet run',
    );

    // 2c. A heads-up before a stop, and its "Keep running 1 h" link clicked.
    console.log(
      `\n${bold('Snooze links')}: the actions table and the link key seeded, chat-actions served on 127.0.0.1`,
    );
    const actions = await seedActions();
    const linkEnv = { ACTIONS_TABLE: actions.table, LINK_KEY_SECRET: actions.secretArn };
    const chatActions = await serveFunctionUrl(bundle('chat-actions'), 'chat-actions', {
      ...env,
      ...linkEnv,
      ENVIRONMENT: 'dev',
    });
    closers.push(chatActions.close);
    ran.add('chat-actions');
    console.log(`    chat-actions at ${chatActions.url}`);
    const review = await launchScheduled('dev-review', 'evening');
    const evening = (stopInMinutes: number) => ({
      ...linkEnv,
      CHAT_ACTIONS_URL: chatActions.url,
      SCHEDULES: JSON.stringify({
        schedules: { ...document.schedules, evening: eveningSchedule(new Date(), stopInMinutes) },
      }),
    });
    const postsBefore = receiver.posts.length;
    const warned = await step(
      '18:50',
      'the evening schedule stops in 10 minutes: a heads-up with snooze links',
      'infra-scaler',
      { action: 'reconcile' },
      evening(10),
    );
    const messages = receiver.posts.slice(postsBefore).map(readChatMessage);
    for (const message of messages) {
      console.log(`    webhook ${message.destination} received: "${message.text}"`);
      console.log(`      links: ${message.links.map(({ label }) => `[${label}]`).join(' ')}`);
    }
    const keep = messages[0]?.links.find(({ label }) => label === 'Keep running 1 h')?.url ?? '';
    expect(
      !warned.error &&
        messages.length === 2 &&
        messages.every(({ links }) => links.some(({ label }) => label === 'Keep running 1 h')) &&
        keep.startsWith(`${chatActions.url}?t=`),
      'Slack and Teams each received the heads-up with its "Keep running 1 h" link',
    );
    expect((await instanceState(review)) === 'running', 'nothing stopped before its time');

    const opened = await fetch(keep);
    console.log(`    GET  the link: ${opened.status} "${pageTitle(await opened.text())}"`);
    expect(
      opened.status === 200 && (await instanceTags(review))[SNOOZE] === undefined,
      'opening the link shows a confirmation page and changes nothing',
    );
    const click = () =>
      fetch(keep, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ t: new URL(keep).searchParams.get('t') ?? '' }).toString(),
      });
    const used = await click();
    const snoozedUntil = (await instanceTags(review))[SNOOZE];
    console.log(`    POST the form: ${used.status} "${pageTitle(await used.text())}"`);
    console.log(`    dev-review: ${SNOOZE}=${snoozedUntil}`);
    expect(
      used.status === 200 && snoozedUntil !== undefined,
      `"Keep running 1 h" used: dev-review tagged ${SNOOZE}`,
    );
    const reused = await click();
    console.log(`    POST again:    ${reused.status} "${pageTitle(await reused.text())}"`);
    expect(
      reused.status === 409 && (await instanceTags(review))[SNOOZE] === snoozedUntil,
      'the same link a second time: refused (409), nothing changed',
    );

    const docs = await launchScheduled('dev-docs', 'evening');
    console.log('    dev-docs joins the evening schedule (no link names it)');
    const stopped = await step(
      '19:03',
      'the evening stop is due (3 minutes ago)',
      'infra-scaler',
      { action: 'reconcile' },
      evening(-3),
    );
    const [reviewAfter, docsAfter] = [await instanceState(review), await instanceState(docs)];
    console.log(`    after: dev-review (snoozed) ${reviewAfter}, dev-docs ${docsAfter}`);
    expect(
      !stopped.error && reviewAfter === 'running' && docsAfter === 'stopped',
      'the snoozed instance survives the stop; the other instance of its schedule is stopped',
    );

    // 3. Backups of production.
    const backup = await step(
      '01:00',
      'production is backed up',
      'backup-manager',
      { backup_type: 'all', environment: 'production' },
      hoursAgo(7),
    );
    const newEbs = backup.after.snapshots.filter((id) => !backup.before.snapshots.includes(id));
    const newRds = backup.after.dbSnapshots.filter((id) => !backup.before.dbSnapshots.includes(id));
    console.log(`    new: ${newEbs.length} EBS snapshot(s), RDS ${newRds.join(', ')}`);
    expect(
      !backup.error && newEbs.length === 2 && newRds.length === 1,
      'one snapshot set for the production instance, one RDS snapshot',
    );
    const { old, last } = account.originalBackups;
    const expired = [
      ...backup.before.snapshots.filter((id) => !backup.after.snapshots.includes(id)),
      ...backup.before.dbSnapshots.filter((id) => !backup.after.dbSnapshots.includes(id)),
    ];
    const deletedAsOriginal = (id: string) =>
      backup.result?.done.some(
        (entry) =>
          entry.id === id &&
          entry.action === 'delete' &&
          entry.reason.startsWith('made by the original backup script, older than 7 days'),
      ) === true;
    expect(
      expired.sort().join() === [...old.ebs, old.rds].sort().join() &&
        [...old.ebs, old.rds].every(deletedAsOriginal),
      "the original script's backups of 20 days ago adopted and deleted (EBS and RDS)",
    );
    const keptAsNewest = (id: string, source: string) =>
      backup.result?.skipped.some(
        (entry) => entry.id === id && entry.reason === `newest finished backup of ${source}`,
      ) === true;
    expect(
      last.ebs.every(
        (id) => backup.after.snapshots.includes(id) && keptAsNewest(id, account.productionApi),
      ) &&
        backup.after.dbSnapshots.includes(last.rds) &&
        keptAsNewest(last.rds, account.productionDb),
      "the original script's backups of 10 days ago kept as the last finished ones",
    );

    // 4. Old snapshots go.
    const cleanup = await step(
      '03:00',
      'old snapshots are cleaned up',
      'snapshot-cleanup',
      {},
      hoursAgo(5),
    );
    const gone = cleanup.before.snapshots.filter((id) => !cleanup.after.snapshots.includes(id));
    expect(
      !cleanup.error &&
        gone.sort().join() === [...account.oldPlainSnapshots, account.orphanSnapshot].sort().join(),
      'exactly the old unprotected snapshots deleted',
    );
    const orphan = cleanup.result?.done.find((entry) => entry.id === account.orphanSnapshot);
    expect(
      orphan?.action === 'delete' &&
        orphan.details?.volume === 'deleted' &&
        orphan.reason.includes(`volume ${account.scratchVolume} no longer exists`),
      'the snapshot of a deleted volume deleted, its report saying the volume is gone',
    );
    expect(
      [account.permanentSnapshot, ...account.amiSnapshots].every((id) =>
        cleanup.after.snapshots.includes(id),
      ),
      'the permanent snapshot and the AMI snapshot kept',
    );

    // 5. Critical errors in a log group.
    const logs = await step('04:17', 'critical errors in the orders API', 'log-processor', {
      awslogs: { data: gzipSync(JSON.stringify(account.logBatch)).toString('base64') },
    });
    const [alert, ...moreAlerts] = await alerts.receive({ count: 2, timeoutMs: 2_000 });
    console.log(`    alert: "${alert?.Subject}"`);
    for (const line of (alert?.Message ?? '').split('\n').filter((l) => l.startsWith('[')))
      console.log(`      ${line}`);
    expect(
      !logs.error && alert !== undefined && moreAlerts.length === 0,
      'one alert for the batch',
    );
    expect(!(alert?.Message ?? '').includes('hunter2'), 'the password in the log line is masked');

    // 6. Staging wakes up.
    const up = await step(
      '07:00',
      'staging wakes up',
      'infra-scaler',
      { action: 'scale_up', environment: 'staging' },
      hoursAgo(1),
    );
    printState('after', up.after);
    expect(
      up.after.web === 'running' && up.after.worker === 'running',
      'staging instances running again',
    );
    expect(up.after.stoppedByPerson === 'stopped', 'the instance a person stopped stays stopped');
    expect(
      up.after.group === '2/5/3' && up.after.stagingDb === 'available',
      'group sizes and database restored',
    );

    // 7. The idle check.
    const check = await step(
      '07:30',
      'idle check of staging',
      'infra-scaler',
      { action: 'check', environment: 'staging' },
      hoursAgo(0.5),
    );
    expect(
      check.result?.done.some((entry) => entry.id === account.stagingWorker) === true,
      'the idle worker is flagged',
    );

    const published = await reports.receive({ count: 11, timeoutMs: 3_000 });
    console.log(`\n${bold('Reports on SNS')}`);
    for (const report of published) console.log(`    ${report.Subject}`);
    expect(
      published.length === 10,
      'every scheduled run that did something published its report (the quiet reconcile did not); the heads-up and the snooze each sent their email',
    );

    // 8. The morning report: what the night saved, what is protected, what needs a person.
    const unprotected = await launchUnprotected();
    const postsBeforeMorning = receiver.posts.length;
    const morning = await step('08:00', 'the morning report', 'morning-report', {});
    const [mail] = await reports.receive({ count: 1, timeoutMs: 5_000 });
    console.log(
      `    prices: list prices put in the cache (${Object.keys(DEMO_PRICES).join(', ')})`,
    );
    for (const line of (mail?.Message ?? '').split('\n')) console.log(`    | ${line}`);
    const night = (morning.result as unknown as MorningResult | undefined)?.report;
    expect(
      !morning.error &&
        (night?.yesterday.instanceHours ?? 0) > 60 &&
        (night?.yesterday.usd ?? 0) > 0,
      'about 12 hours of six instances stopped, priced in USD',
    );
    expect(
      (night?.yesterday.snapshotGiBDeleted ?? 0) > 0,
      "the GiB of the night's deleted snapshots counted",
    );
    expect(
      night?.coverage.missing.map((item) => item.id).join() === unprotected,
      'the server tagged Backup=true that nothing backs up is listed as missing',
    );
    expect(
      night?.attention.some(
        (item) => item.category === 'idle' && item.id === account.stagingWorker,
      ) === true,
      'the idle worker needs a person',
    );
    expect(
      receiver.posts.length - postsBeforeMorning === 2 && mail !== undefined,
      'Slack, Teams and the reports topic each received it',
    );

    // Every other function of the list, with its smoke event.
    for (const manifest of functions.filter((fn) => !ran.has(fn.name))) {
      const event = readSmokeEvent(root, manifest, {
        stage: 'staging',
        scaledEnvironment: 'staging',
        now: new Date(),
      });
      const smoke = await step('08:00', 'smoke event', manifest.name, event);
      expect(!smoke.error, `${manifest.name} ran its smoke event without an error`);
    }
  } finally {
    for (const close of closers) await close();
    await receiver.close();
    await moto?.stop();
  }
  console.log(
    problems.length === 0
      ? `\n${bold('Every step did what it should.')}`
      : `\n${bold(`${problems.length} step(s) went wrong:`)}\n  ${problems.join('\n  ')}`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
};

await main().catch((error: Error) => {
  console.error(`demo: ${error.message}`);
  process.exitCode = 1;
});
