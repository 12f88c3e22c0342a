export { type Database, listDatabases } from './databases.ts';
export {
  ALREADY_GONE,
  type DeleteOutcome,
  deleteSnapshot,
  IN_USE,
  type RecordDeleteOptions,
  recordDelete,
} from './deleteSnapshot.ts';
export { type GroupSize, listGroups, type ScalingGroup } from './groups.ts';
export { type Ec2Instance, listInstances } from './instances.ts';
export {
  type EbsSnapshot,
  listAmiSnapshotUse,
  listLiveVolumeIds,
  listOwnSnapshots,
} from './snapshots.ts';
export { tagFilters } from './tagFilters.ts';
