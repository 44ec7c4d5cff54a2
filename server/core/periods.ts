import type { FREQUENCY_PERIODS } from '../../types/schema.js';

export type Period = (typeof FREQUENCY_PERIODS)[number];

/**
 * The calendar period `at` falls in, as the instant it starts, in UTC: days from midnight, weeks from
 * Monday (ISO 8601), months from the 1st, years from January 1st. Calendar periods rather than
 * rolling ones, so "once a week" means what people read it as, and one date names the period.
 */
export function periodStart(at: Date, period: Period): string {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  const start =
    period === 'year'
      ? Date.UTC(y, 0, 1)
      : period === 'month'
        ? Date.UTC(y, m, 1)
        : period === 'week'
          ? Date.UTC(y, m, d - ((at.getUTCDay() + 6) % 7))
          : Date.UTC(y, m, d);
  return new Date(start).toISOString();
}
