export { type DeleteOutcome, deleteSnapshot } from './deleteSnapshot.ts';
