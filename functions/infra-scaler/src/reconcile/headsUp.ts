import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Destination, type Destinations, type Post, routeFor } from '@nightshift/delivery';
import {
  type HeadsUpNotice,
  headsUpChunks,
  headsUpSlack,
  headsUpTeams,
  headsUpText,
  type Link,
} from '@nightshift/delivery/chat';
import {
  claimOnce,
  createSnoozeClaim,
  markDone,
  type OnceRecord,
  type SigningKey,
  signToken,
} from '@nightshift/links';
import type { Observability } from '@nightshift/middleware';
import { DAY_MS, HOUR_MS, mapSettled } from '@nightshift/runtime';
import { nextChange, type Schedule } from '@nightshift/schedules';
import type { HeadsUp } from './types.ts';

export type { Post } from '@nightshift/delivery';

/** What sending the heads-ups needs. */
export interface HeadsUpContext {
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  logger: Pick<Observability['logger'], 'info' | 'warn'>;
  /** The signing keys, current first (only the first signs). */
  loadKeys: () => Promise<SigningKey[]>;
  post: Post;
  /** The run's time. */
  now: Date;
  /**
   * The end of this invocation: a heads-up claimed but not marked sent (the run died
   * half-way) is sent by the first run after it.
   */
  leaseUntil: Date;
}

/** The settings of the heads-up messages. */
export interface HeadsUpSettings {
  actionsTable: string;
  /** The chat-actions function's URL; a link is `<url>?t=<token>`. */
  chatActionsUrl: string;
  maxSnoozeHours: number;
  /** The reports topic: the email of each heads-up. */
  topicArn?: string;
  chat: Pick<Destinations, 'routes' | 'defaults' | 'destinations'>;
}

/** What sending the heads-ups did: the schedules announced, and a note per problem. */
export interface HeadsUpResult {
  sent: string[];
  notes: string[];
}

/** The record of a heads-up sent: one per schedule and stop. */
export const headsUpKey = ({ schedule, stopAt }: Pick<HeadsUp, 'schedule' | 'stopAt'>): string =>
  `heads-up#${schedule}#${stopAt}`;

/** The once-only record of one schedule's stop: kept a day past the stop. */
export const headsUpRecord = (table: string, notice: HeadsUp, now: Date): OnceRecord => ({
  table,
  key: headsUpKey(notice),
  attributes: {
    schedule: { S: notice.schedule },
    stopAt: { S: notice.stopAt },
    at: { S: now.toISOString() },
    resources: { N: String(notice.resources.length) },
  },
  expiresAt: Date.parse(notice.stopAt) + DAY_MS,
});

/** The link that carries `token` to the chat-actions function. */
const linkUrl = (base: string, token: string) => {
  const url = new URL(base);
  url.searchParams.set('t', token);
  return url.href;
};

/**
 * The snooze links of one message: "Keep running 1 h" and "Keep running 3 h" (until the
 * stop and 1 or 3 hours), "Skip tonight" (until the schedule's next start after the stop),
 * each over these resources (`<kind>:<id>`) and expiring at the stop. A link whose `until`
 * is more than `maxSnoozeHours` after `now` is left out (chat-actions would refuse it), and so
 * is "Skip tonight" when the schedule does not start again within that time.
 *
 * @example
 * headsUpLinks(notice, schedule, notice.resources, key, settings, now); // [{ title: 'Keep running 1 h', url }, …]
 */
export const headsUpLinks = (
  notice: HeadsUp,
  schedule: Schedule,
  resources: HeadsUp['resources'],
  key: SigningKey,
  settings: Pick<HeadsUpSettings, 'chatActionsUrl' | 'maxSnoozeHours'>,
  now: Date,
): Link[] => {
  const stopAt = new Date(notice.stopAt);
  const latest = now.getTime() + settings.maxSnoozeHours * HOUR_MS;
  const start = nextChange(schedule, stopAt, {
    horizonMinutes: Math.max(1, Math.ceil((latest - stopAt.getTime()) / 60_000)),
  });
  const options: [string, Date | undefined][] = [
    ['Keep running 1 h', new Date(stopAt.getTime() + HOUR_MS)],
    ['Keep running 3 h', new Date(stopAt.getTime() + 3 * HOUR_MS)],
    ['Skip tonight', start?.to.due === 'running' ? start.at : undefined],
  ];
  const ids = resources.map(({ kind, id }) => `${kind}:${id}`);
  return options.flatMap(([title, until]) => {
    if (until === undefined || until.getTime() > latest) return [];
    const claim = createSnoozeClaim({
      schedule: notice.schedule,
      resources: ids,
      until,
      expires: stopAt,
    });
    return [{ title, url: linkUrl(settings.chatActionsUrl, signToken(claim, key)) }];
  });
};

const reasonOf = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Sends one message of a heads-up to each routed chat destination and the reports topic:
 * how many it tried, and the failures.
 */
const sendMessage = async (
  message: HeadsUpNotice,
  destinations: Destination[],
  context: HeadsUpContext,
  settings: HeadsUpSettings,
): Promise<{ attempted: number; failed: string[] }> => {
  const targets: { name: string; send: () => Promise<unknown> }[] = [
    ...destinations.map((destination) => ({
      name: destination.name,
      send: () =>
        context.post(
          destination,
          destination.kind === 'slack' ? headsUpSlack(message) : headsUpTeams(message),
        ),
    })),
    ...(settings.topicArn
      ? [
          {
            name: 'email',
            send: () =>
              context.sns.send(
                new PublishCommand({ TopicArn: settings.topicArn, ...headsUpText(message) }),
              ),
          },
        ]
      : []),
  ];
  const outcome = await mapSettled(targets, (target) => target.send(), {
    concurrency: Math.max(1, targets.length),
  });
  return {
    attempted: targets.length,
    failed: outcome.failed.map(({ item, error }) => `${item.name}: ${reasonOf(error)}`),
  };
};

/**
 * Sends the heads-up of each stop due soon, once: claimed first (`claimOnce`: a heads-up
 * sent already, or being sent by another run, is not sent again), then its links built and
 * the message sent to the chat destinations routed for the schedule's name and, as plain
 * text, to the reports topic (email); at most 50 resources a message, more make more
 * messages; then marked sent. A run that dies before marking it leaves it to the first run
 * after its lease (at least once: a run that died after sending sends it again). One that
 * reached no destination at all is not marked either, so a later run inside the notice
 * window tries again; one that reached some is marked, so none gets it twice. A heads-up
 * that cannot be claimed, built or sent is a note and a warning, never an error: the
 * reconcile is done already.
 *
 * @example
 * const { sent, notes } = await sendHeadsUps(headsUps, document.schedules, context, settings);
 */
export const sendHeadsUps = async (
  headsUps: readonly HeadsUp[],
  schedules: Readonly<Record<string, Schedule>>,
  context: HeadsUpContext,
  settings: HeadsUpSettings,
): Promise<HeadsUpResult> => {
  const result: HeadsUpResult = { sent: [], notes: [] };
  if (headsUps.length === 0) return result;
  const problem = (notice: HeadsUp, what: string, reasons: string[]) => {
    const note = `heads-up of ${notice.schedule} at ${notice.localStopAt} (${notice.timezone}) ${what}: ${reasons.join('; ')}`;
    context.logger.warn('Heads-up not sent', { schedule: notice.schedule, note });
    result.notes.push(note);
  };
  // The keys before any record: a run that cannot sign records nothing, and the next one tries again.
  let key: SigningKey | undefined;
  try {
    [key] = await context.loadKeys();
    if (!key) throw new Error('the link key secret has no current version');
  } catch (error) {
    for (const notice of headsUps) problem(notice, 'not sent', [reasonOf(error)]);
    return result;
  }
  for (const notice of headsUps) {
    const schedule = schedules[notice.schedule];
    try {
      if (!schedule) throw new Error(`schedule ${notice.schedule} is not in the document`);
      const outcome = await claimOnce(
        context.dynamodb,
        headsUpRecord(settings.actionsTable, notice, context.now),
        context.now,
        context.leaseUntil,
      );
      if (outcome !== 'claimed') {
        context.logger.info(
          outcome === 'done' ? 'Heads-up sent already' : 'Heads-up being sent by another run',
          { schedule: notice.schedule },
        );
        continue;
      }
    } catch (error) {
      problem(notice, 'not sent', [reasonOf(error)]);
      continue;
    }
    const chunks = headsUpChunks(notice.resources);
    const destinations = routeFor(settings.chat, notice.schedule);
    const failures: string[] = [];
    let reached = 0;
    for (const [index, resources] of chunks.entries()) {
      try {
        const message: HeadsUpNotice = {
          ...notice,
          resources,
          links: headsUpLinks(notice, schedule, resources, key, settings, context.now),
          ...(chunks.length > 1 ? { part: { index: index + 1, count: chunks.length } } : {}),
        };
        const { attempted, failed } = await sendMessage(message, destinations, context, settings);
        reached += attempted - failed.length;
        failures.push(...failed);
      } catch (error) {
        failures.push(reasonOf(error));
      }
    }
    if (reached > 0) {
      try {
        await markDone(
          context.dynamodb,
          { table: settings.actionsTable, key: headsUpKey(notice) },
          context.now,
        );
      } catch (error) {
        failures.push(`not marked sent (a later run may send it again): ${reasonOf(error)}`);
      }
    }
    if (failures.length > 0) problem(notice, 'failed', failures);
    else {
      context.logger.info('Heads-up sent', {
        schedule: notice.schedule,
        stopAt: notice.stopAt,
        messages: chunks.length,
        destinations: [
          ...destinations.map(({ name }) => name),
          ...(settings.topicArn ? ['email'] : []),
        ],
      });
      result.sent.push(notice.schedule);
    }
  }
  return result;
};
