import { parseTime } from '../core/time.js';
import { badRequest } from './errors.js';

/** An expiry a request gives, as the model keeps times (UTC, `toISOString`); refused unless in the future. */
export function futureTime(text: string | null | undefined, now: number): string | null {
  if (text === null || text === undefined) return null;
  const ms = parseTime(text);
  if (ms === undefined) throw badRequest('invalid_time', 'A time is ISO-8601 with a zone, on a day the calendar has, e.g. 2027-01-31T00:00:00Z');
  if (!(ms > now)) throw badRequest('invalid_expiry', 'expiresAt must be a time in the future');
  return new Date(ms).toISOString();
}
