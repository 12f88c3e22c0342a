/** Milliseconds in a day (24 hours; retention and ages count whole UTC days). */
export const DAY_MS = 86_400_000;

/** Milliseconds in an hour. */
export const HOUR_MS = 3_600_000;
