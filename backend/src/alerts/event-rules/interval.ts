/**
 * The ruler's tick (RULER_INTERVAL_SECONDS) as the cron pattern of its schedule (jobs/ schedules take
 * cron patterns, with seconds as an optional sixth field first). Only intervals a cron pattern repeats
 * evenly are possible: divisors of a minute, of an hour in minutes, or of a day in hours.
 */
export const RULER_INTERVALS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800, 3600] as const;

export function intervalCron(seconds: number): string | null {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    return null;
  }
  if (seconds < 60) {
    return 60 % seconds === 0 ? (seconds === 1 ? '* * * * * *' : `*/${seconds} * * * * *`) : null;
  }
  if (seconds < 3600) {
    const m = seconds / 60;
    return Number.isInteger(m) && 60 % m === 0 ? (m === 1 ? '0 * * * * *' : `0 */${m} * * * *`) : null;
  }
  const h = seconds / 3600;
  return Number.isInteger(h) && 24 % h === 0 ? (h === 1 ? '0 0 * * * *' : `0 0 */${h} * * *`) : null;
}
