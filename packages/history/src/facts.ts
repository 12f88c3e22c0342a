/**
 * The facts a run puts in its report entries' `details` for the morning report to read
 * from the run history. Writers (infra-scaler, snapshot-cleanup) and the reader
 * (morning-report) share these names; they are part of the history's format.
 */

/** The kinds of resource a stop or start is about. */
export type ResourceKind = 'instance' | 'group' | 'db-instance' | 'db-cluster';

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'instance',
  'group',
  'db-instance',
  'db-cluster',
];

/** The `details` keys of the facts. */
export const FACT = {
  /** `ResourceKind` of a stop or start. */
  kind: 'kind',
  /** An EC2 instance's type (`t3.micro`), or a DB instance's class (`db.t3.micro`). */
  instanceType: 'instanceType',
  /** A DB instance deployed Multi-AZ (`true`): its standby is billed as a second instance. */
  multiAz: 'multiAz',
  /** The RDS engine (`postgres`, `aurora-mysql`) of a DB instance or cluster. */
  engine: 'engine',
  /** An Aurora cluster's member instance classes, comma-separated, one per member. */
  members: 'members',
  /** A group's instance types when it was emptied, comma-separated, one per instance. */
  instanceTypes: 'instanceTypes',
  /** A group's desired capacity when it was emptied. */
  capacity: 'capacity',
  /** On a start: since when Nightshift had it stopped (ISO time). */
  stoppedSince: 'stoppedSince',
  /** On a failed start: the instance went back to stopped (`true`). */
  fellBack: 'fellBack',
  /**
   * What a person should look at, in a sentence, on an entry that is otherwise fine (a
   * snapshot kept only as the last backup of a volume that is gone). The history keeps
   * skipped entries only when they carry it.
   */
  attention: 'attention',
  /** A snapshot's source volume size in GiB. */
  volumeSizeGiB: 'volumeSizeGiB',
} as const;

/** Report actions that put a resource to sleep (infra-scaler's, in both of its modes). */
export const STOP_ACTIONS: readonly string[] = ['stop', 'scale to 0'];
/** Report actions that wake a resource up again. */
export const START_ACTIONS: readonly string[] = ['start', 'restore'];
/**
 * Report actions that find a resource Nightshift stopped running again, started by someone
 * else: scale_up's `unmark`, and reconcile's `record` of a resource already in its due
 * state when that state is running (`details.due`). Either ends the stop.
 */
export const FOUND_RUNNING_ACTIONS: readonly string[] = ['unmark', 'record'];
/** The report action of an idle instance the check flagged. */
export const IDLE_ACTION = 'flag idle';
