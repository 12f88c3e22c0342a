import {
  AttachVolumeCommand,
  CreateSnapshotsCommand,
  CreateVolumeCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { type FaultProxy, invokeBundle, type Moto } from '@nightshift/testing';
import { launchDemoInstance } from '../demo/seed.ts';
import { difference } from './stats.ts';

/** One snapshot-cleanup run over a fresh set of old snapshots. */
export interface CleanupRun {
  /** `DELETE_CONCURRENCY`, or undefined for the function's default. */
  concurrency?: number;
  deleted: number;
  failed: number;
  /** The handler call alone. */
  handlerMs: number;
  /** From spawn to exit, cold start included. */
  wallMs: number;
  /** AWS calls the handler made, by API action. */
  calls: Record<string, number>;
  error?: string;
}

const VOLUMES = 20;

/**
 * Puts `count` snapshots of 20 volumes of one instance into the emulator, dated 40 days
 * back, then one recent snapshot of each volume (so no old one is the last of its volume
 * and every old one is due). CreateSnapshots makes a snapshot of every volume in one call,
 * which keeps seeding thousands of them quick.
 */
const seedOldSnapshots = async (moto: Moto, count: number) => {
  const ec2 = new EC2Client({});
  moto.setClockOffset('-40d');
  try {
    const instanceId = await launchDemoInstance({}, ec2);
    for (let index = 1; index < VOLUMES; index += 1) {
      const { VolumeId } = await ec2.send(
        new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1a', Size: 8 }),
      );
      await ec2.send(
        new AttachVolumeCommand({
          VolumeId,
          InstanceId: instanceId,
          Device: `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + index - 1)}`,
        }),
      );
    }
    let made = 0;
    while (made < count) {
      const { Snapshots = [] } = await ec2.send(
        new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }),
      );
      if (Snapshots.length === 0) throw new Error('CreateSnapshots made no snapshot');
      made += Snapshots.length;
    }
    moto.setClockOffset('+0');
    await ec2.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }),
    );
    return made;
  } finally {
    moto.setClockOffset('+0');
  }
};

/**
 * Cleans `count` old snapshots out of a freshly reset emulator with the built
 * snapshot-cleanup bundle, its AWS calls counted by a pass-through proxy.
 *
 * @example
 * const run = await runCleanup({ bundle, moto, proxy, count: 2000, concurrency: 1 });
 */
export const runCleanup = async ({
  bundle,
  moto,
  proxy,
  count,
  concurrency,
}: {
  bundle: string;
  moto: Moto;
  proxy: FaultProxy;
  count: number;
  concurrency?: number;
}): Promise<CleanupRun & { seeded: number }> => {
  await moto.reset();
  const { TopicArn = '' } = await new SNSClient({}).send(
    new CreateTopicCommand({ Name: 'nightshift-reports' }),
  );
  const seeded = await seedOldSnapshots(moto, count);
  const before = proxy.stats().forwarded;
  const started = performance.now();
  const invocation = await invokeBundle<{
    done: unknown[];
    failed: unknown[];
  }>(
    bundle,
    {},
    {
      env: {
        AWS_ENDPOINT_URL: proxy.endpoint,
        SNS_TOPIC_ARN: TopicArn,
        // The default cap (500 per run) would leave most of them to the next runs.
        MAX_DELETIONS_PER_RUN: String(count),
        ...(concurrency === undefined ? {} : { DELETE_CONCURRENCY: String(concurrency) }),
      },
      functionName: 'snapshot-cleanup',
      timeoutMs: 900_000,
      sourceMaps: false,
    },
  );
  const wallMs = performance.now() - started;
  return {
    concurrency,
    seeded,
    deleted: invocation.result?.done.length ?? 0,
    failed: invocation.result?.failed.length ?? 0,
    handlerMs: invocation.handlerMs ?? Number.NaN,
    wallMs,
    calls: difference(proxy.stats().forwarded, before),
    ...(invocation.error ? { error: `${invocation.error.name}: ${invocation.error.message}` } : {}),
  };
};
