/**
 * Times a request gives: ISO-8601 with a time zone (`2026-11-29T12:00:00Z`, `...+01:00`, seconds and
 * fractions optional), as ms since the epoch; undefined for anything else. A date the calendar does
 * not have is refused, not rolled over: `Date.parse` reads 2026-02-31 as 3 March.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

export function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > days || hour! > 23 || minute! > 59 || second! > 59 || offsetHours! > 23 || offsetMinutes! > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
