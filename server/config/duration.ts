import { badRequest } from '../http/errors.js';
import { parseTime } from '../core/time.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `30m`, `24h`, `7d` in ms; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})(s|m|h|d)$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

/** An expiry a request gives, as the model keeps times (UTC, `toISOString`); refused unless in the future. */
export function futureTime(text: string | null | undefined, now: number): string | null {
  if (text === null || text === undefined) return null;
  const ms = parseTime(text);
  if (ms === undefined) throw badRequest('invalid_time', 'A time is ISO-8601 with a zone, on a day the calendar has, e.g. 2027-01-31T00:00:00Z');
  if (!(ms > now)) throw badRequest('invalid_expiry', 'expiresAt must be a time in the future');
  return new Date(ms).toISOString();
}
