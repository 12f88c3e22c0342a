// The helpers of unit tests: they use vitest, so they stay out of the main entry, which
// the scripts that start the emulator or invoke bundles load outside vitest.
export {
  assertAcceptsExactly,
  assertKeepsValidEvents,
  describeEventContract,
  type EventContract,
  eventArbitraries,
} from './eventContract.ts';
export { loadHandler } from './handlerModule.ts';
export { assertPagedRequests } from './pagedRequests.ts';
export * from './properties.ts';
