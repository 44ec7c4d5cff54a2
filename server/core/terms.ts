import type { BadgeFields, JsonValue } from '../../types/api.js';
import { invalid } from './errors.js';
import type { Period } from './periods.js';
import { parseTime } from './time.js';

/**
 * What a badge's meaningful fields say (see `types/schema.ts`), read from its free-form fields. The
 * HTTP schema checks each value on the way in; the reading here still takes a value of the wrong
 * type as absent, since badges stored before these fields had a meaning may hold anything in them.
 */
export interface Terms {
  enabled: boolean;
  /** When the badge can be earned, and when it is shown: ms, start inclusive, end exclusive. */
  earn: Window;
  display: Window;
  /** At most `cap` awards per `period` (both or neither), at most `max` held. */
  frequency: { cap?: number; period?: Period; max?: number };
  unique: boolean;
  goal?: number;
  tags: string[];
  /** Segment ids (CrowdTwist's `subscription_id`) whose members may earn it, and those whose may not. */
  segments: { include: number[]; exclude: number[] };
}

export interface Window {
  start?: number;
  end?: number;
}

export function termsOf(fields: BadgeFields): Terms {
  const f = fields.frequency;
  const frequency = isObject(f) ? f : {};
  const cap = positiveInteger(frequency.freq_cap);
  const max = positiveInteger(frequency.freq_max);
  const period = typeof frequency.freq_period === 'string' ? (frequency.freq_period as Period) : undefined;
  return {
    enabled: fields.is_enabled !== false,
    earn: windowOf(fields.date_start, fields.date_end),
    display: windowOf(fields.display_date_start, fields.display_date_end),
    frequency: { ...(cap && period ? { cap, period } : {}), ...(max ? { max } : {}) },
    unique: fields.unique === true,
    ...(typeof fields.goal === 'number' && fields.goal > 0 ? { goal: fields.goal } : {}),
    tags: Array.isArray(fields.tags) ? fields.tags.filter((t): t is string => typeof t === 'string') : [],
    segments: segmentsOf(fields.segment),
  };
}

function segmentsOf(value: JsonValue | undefined): Terms['segments'] {
  const segments: Terms['segments'] = { include: [], exclude: [] };
  for (const rule of Array.isArray(value) ? value : []) {
    if (!isObject(rule)) continue;
    const id = positiveInteger(rule.subscription_id);
    if (id !== undefined) segments[rule.eligibility_type === 'exclusion' ? 'exclude' : 'include'].push(id);
  }
  return segments;
}

/**
 * Whether a member in `segments` may earn the badge, as CrowdTwist's segment eligibility reads: with
 * any inclusion segment, only members of one of them; never a member of an exclusion segment.
 */
export function eligible(terms: Terms, segments: readonly number[]): boolean {
  const { include, exclude } = terms.segments;
  if (exclude.some((id) => segments.includes(id))) return false;
  return include.length === 0 || include.some((id) => segments.includes(id));
}

/** Whether the badge is for some members only, so awarding it needs the member's segments. */
export const segmented = (terms: Terms): boolean => terms.segments.include.length > 0 || terms.segments.exclude.length > 0;

export const within = (window: Window, at: number): boolean => (window.start === undefined || at >= window.start) && (window.end === undefined || at < window.end);

/** Whether the badge has any of the tags; no tags asked for is no filter. */
export const tagged = (terms: Terms, tags: readonly string[] | undefined): boolean => !tags || tags.some((tag) => terms.tags.includes(tag));

const TIME_FIELDS = ['date_start', 'date_end', 'display_date_start', 'display_date_end'] as const;

/**
 * The fields as the badge keeps them: times in UTC ISO-8601, so every answer shows them alike. Refuses
 * what the fields say together: a window that ends before it starts, a cap without its period, a
 * state described twice. Checked on the badge as merged, since a write may change one end only.
 */
export function settleTerms(badge: string, fields: BadgeFields): BadgeFields {
  const settled = { ...fields };
  for (const field of TIME_FIELDS) {
    const value = settled[field];
    if (value === undefined) continue;
    const ms = parseTime(value);
    if (ms === undefined) throw invalid('invalid_date', `Badge "${badge}": ${field} must be an ISO-8601 time with a time zone, on a day the calendar has`);
    settled[field] = new Date(ms).toISOString();
  }
  const windows = [['date_start', 'date_end'], ['display_date_start', 'display_date_end']] as const;
  for (const [start, end] of windows) {
    if (typeof settled[start] === 'string' && typeof settled[end] === 'string' && settled[end] <= settled[start]) {
      throw invalid('invalid_date_range', `Badge "${badge}": ${end} must be after ${start}`);
    }
  }
  const frequency = settled.frequency;
  if (isObject(frequency)) {
    if ((frequency.freq_cap === undefined) !== (frequency.freq_period === undefined)) {
      throw invalid('invalid_frequency', `Badge "${badge}": freq_cap and freq_period go together (at most freq_cap awards per freq_period)`);
    }
    if (frequency.freq_cap === undefined && frequency.freq_max === undefined) {
      throw invalid('invalid_frequency', `Badge "${badge}": frequency needs freq_cap with freq_period, or freq_max`);
    }
  }
  const states = settled.badge_states;
  if (Array.isArray(states)) {
    const named = states.map((s) => (isObject(s) ? s.state : undefined));
    if (new Set(named).size !== named.length) throw invalid('invalid_badge_states', `Badge "${badge}": badge_states describes a state twice`);
    const orders = states.map((s) => (isObject(s) ? s.order : undefined)).filter((order) => order !== undefined);
    if (new Set(orders).size !== orders.length) throw invalid('invalid_badge_states', `Badge "${badge}": two badge_states have the same order`);
  }
  const criteria = settled.criteria;
  if (isObject(criteria)) {
    const items = Array.isArray(criteria.items) ? criteria.items : [];
    const ids = items.map((item) => (isObject(item) ? item.id : undefined));
    if (new Set(ids).size !== ids.length) throw invalid('invalid_criteria', `Badge "${badge}": criteria lists a criterion id twice`);
    // Kept whole, so that whoever reads them (reviews, Open Badges) finds both.
    settled.criteria = { narrative: typeof criteria.narrative === 'string' ? criteria.narrative : '', items };
  }
  return settled;
}

/** The next instant after `now` at which the badge's display window opens or closes, if any. */
export function nextDisplayChange(terms: Terms, now: number): number | undefined {
  const edges = [terms.display.start, terms.display.end].filter((t): t is number => t !== undefined && t > now);
  return edges.length > 0 ? Math.min(...edges) : undefined;
}

function windowOf(start: JsonValue | undefined, end: JsonValue | undefined): Window {
  const ms = (value: JsonValue | undefined) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : undefined);
  const window: Window = {};
  const [s, e] = [ms(start), ms(end)];
  if (s !== undefined) window.start = s;
  if (e !== undefined) window.end = e;
  return window;
}

const isObject = (value: JsonValue | undefined): value is { [key: string]: JsonValue } => typeof value === 'object' && value !== null && !Array.isArray(value);
const positiveInteger = (value: JsonValue | undefined): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined);
