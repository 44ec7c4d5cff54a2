/**
 * An item's time as a number of milliseconds, when its ISO-8601 form is the one the core writes
 * (`2026-12-07T11:39:51.225Z`, years 1000 to 9999): eight bytes in a column where the string took
 * forty (issue 25). Between two such times, numeric order is their strings' order. Any other form
 * (more digits of a second, say) is NaN: the index keeps that time as its string.
 */
export function timeOf(at: string): number {
  // The separators by position, then the digits: one pass, no table (this runs for every item and every time of a packed record).
  if (at.length !== 24 || at.charCodeAt(4) !== 45 || at.charCodeAt(7) !== 45 || at.charCodeAt(10) !== 84 || at.charCodeAt(13) !== 58 || at.charCodeAt(16) !== 58 || at.charCodeAt(19) !== 46 || at.charCodeAt(23) !== 90) return NaN;
  const year = number(at, 0, 4);
  const month = number(at, 5, 2);
  const day = number(at, 8, 2);
  const hour = number(at, 11, 2);
  const minute = number(at, 14, 2);
  const second = number(at, 17, 2);
  const ms = number(at, 20, 3);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The ISO-8601 form of a time `timeOf` gave. */
export function isoOf(time: number): string {
  return new Date(time).toISOString();
}

/** The hours ("2026-11-29T15") of times `timeOf` gave: the files a checkpoint keeps their items in. */
export function hoursOf(times: Iterable<number>): Set<string> {
  const hours = new Set<number>();
  for (const time of times) hours.add(Math.floor(time / 3_600_000));
  return new Set([...hours].map((hour) => isoOf(hour * 3_600_000).slice(0, 13)));
}

/** The number the digits of text[from, from + digits) write; -1 if one of them is not a digit. */
function number(text: string, from: number, digits: number): number {
  let value = 0;
  for (let i = from; i < from + digits; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
