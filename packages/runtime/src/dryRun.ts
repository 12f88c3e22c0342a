/**
 * Whether this run may change anything. `DRY_RUN=true` on the function is a lock: the
 * event's `dryRun` may turn a dry run on (`true`), never off, so no event can make a
 * function deployed to only report start changing things. With `DRY_RUN` off, the event
 * decides, and a run without `dryRun` changes things.
 *
 * @example
 * resolveDryRun(true, false); // true: one run previewed by hand
 * resolveDryRun(false, true); // true: DRY_RUN=true holds
 */
export const resolveDryRun = (eventDryRun: boolean | undefined, configDryRun: boolean): boolean =>
  configDryRun || eventDryRun === true;
