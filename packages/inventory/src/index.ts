export { type Database, listDatabases } from './databases.ts';
export { type DeleteOutcome, deleteSnapshot } from './deleteSnapshot.ts';
export { type GroupSize, listGroups, type ScalingGroup } from './groups.ts';
export { type Ec2Instance, listInstances } from './instances.ts';
export { tagFilters } from './tagFilters.ts';
