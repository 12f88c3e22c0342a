/**
 * Whether this run may change anything: the event's `dryRun` wins over the `DRY_RUN`
 * environment setting, so a scheduled job can be previewed by hand with one event.
 *
 * @example
 * resolveDryRun(event.dryRun, config.DRY_RUN); // event { dryRun: true } → true
 */
export const resolveDryRun = (eventDryRun: boolean | undefined, configDryRun: boolean): boolean =>
  eventDryRun ?? configDryRun;
