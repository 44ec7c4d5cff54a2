/**
 * Windows of rules: ISO-8601 durations of fixed length (weeks, days, hours, minutes, seconds).
 * Months and years are refused: their length depends on when they start.
 */
const DURATION = /^P(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$/;

const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/** The longest window a rule may have: events must be kept that long. */
export const MAX_WINDOW_MS = 3660 * 86_400_000;

/** Windows read so far: every event a rule counts asks for its window. */
const known = new Map<string, number | undefined>();

/** The duration in ms, or undefined when `text` is not one this server takes. */
export function durationMs(text: string): number | undefined {
  if (known.has(text)) return known.get(text);
  const ms = parse(text);
  if (known.size < 10_000) known.set(text, ms);
  return ms;
}

function parse(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) ms += Number(match[i + 1] ?? 0) * UNIT_MS[i]!;
  return ms > 0 && ms <= MAX_WINDOW_MS ? ms : undefined;
}
