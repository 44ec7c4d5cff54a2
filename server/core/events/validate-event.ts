import { nameProblem } from '../../../types/schema.js';
import { normalizeEmail } from '../email.js';
import { jsonDepth } from '../json-depth.js';
import { TYPE_PART, typeKey, type StoredEvent } from './kinds.js';
import { parseTime } from '../time.js';

/**
 * One event as sent, checked by hand: each event of a batch is judged alone, and a bad one is a
 * per-event error, never the batch's failure.
 */

export const EVENT_LIMITS = { idLength: 200, previewLength: 500, permalinkLength: 2000, dataBytes: 2048, dataDepth: 8 };

export interface EventProblem {
  code: string;
  message: string;
}

export interface CheckedEvent {
  id: string;
  type: string;
  /** A user name, or a normalised address to look up. */
  user?: string;
  email?: string;
  /** ISO-8601 UTC, or undefined for now. */
  at?: string;
  value: StoredEvent;
}

const problem = (code: string, message: string): EventProblem => ({ code, message });

/** The event's id as text, if it has a usable one (for reporting a refusal by id). */
export function eventIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { id?: unknown }).id;
  if (typeof id === 'string' && id.length > 0 && id.length <= EVENT_LIMITS.idLength) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return undefined;
}

export function checkEvent(raw: unknown, { getbadges = false } = {}): CheckedEvent | EventProblem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return problem('invalid_event', 'An event must be a JSON object');
  const e = raw as Record<string, unknown>;
  if (getbadges && e.version !== 0) return problem('invalid_version', '"version" must be 0 (the GetBadges API version)');
  const id = eventIdOf(e);
  if (id === undefined) return problem('invalid_event_id', `"id" must be a string of 1-${EVENT_LIMITS.idLength} characters or a whole number, unique within the service`);
  const type = e.eventType as Record<string, unknown> | undefined;
  if (typeof type !== 'object' || type === null || !['source', 'type', 'action'].every((k) => typeof type[k] === 'string' && TYPE_PART.test(type[k] as string))) {
    return problem('invalid_event_type', '"eventType" must be {"source","type","action"}, each 1-64 letters, digits, "_", "." or "-"');
  }
  const checked: CheckedEvent = { id, type: typeKey(type as never), value: { t: '' } };
  checked.value.t = checked.type;
  if (e.user !== undefined && e.email !== undefined && e.email !== '') return problem('invalid_user', 'Give "user" or "email", not both');
  if (e.user !== undefined) {
    const why = nameProblem(e.user);
    if (why) return problem('invalid_user', `"user": a user name ${why}`);
    checked.user = (e.user as string).normalize('NFC');
  } else {
    if (e.email === undefined || e.email === '') return problem('invalid_user', 'Name the user: "user" (a user name) or "email" (an address set for a user)');
    const email = normalizeEmail(e.email);
    if (!email) return problem('invalid_user', '"email" is not an email address');
    checked.email = email;
  }
  if (e.at !== undefined) {
    const ms = parseTime(e.at);
    if (ms === undefined) return problem('invalid_at', '"at" must be an ISO-8601 time with its offset, on a day the calendar has, e.g. 2026-11-29T12:00:00Z');
    checked.at = new Date(ms).toISOString();
  }
  if (e.preview !== undefined && e.preview !== null) {
    if (typeof e.preview !== 'string' || e.preview.length > EVENT_LIMITS.previewLength) return problem('invalid_preview', `"preview" must be text of at most ${EVENT_LIMITS.previewLength} characters`);
    if (e.preview !== '') checked.value.p = e.preview;
  }
  if (e.permalink !== undefined && e.permalink !== null && e.permalink !== '') {
    if (typeof e.permalink !== 'string' || e.permalink.length > EVENT_LIMITS.permalinkLength || !/^https?:\/\/[^\s]+$/i.test(e.permalink)) {
      return problem('invalid_permalink', `"permalink" must be an http(s) URL of at most ${EVENT_LIMITS.permalinkLength} characters`);
    }
    checked.value.l = e.permalink;
  }
  if (e.data !== undefined && e.data !== null) {
    if (typeof e.data !== 'object' || Array.isArray(e.data)) return problem('invalid_data', '"data" must be a JSON object');
    if (jsonDepth(e.data, EVENT_LIMITS.dataDepth) > EVENT_LIMITS.dataDepth || Buffer.byteLength(JSON.stringify(e.data)) > EVENT_LIMITS.dataBytes) {
      return problem('invalid_data', `"data" takes at most ${EVENT_LIMITS.dataBytes} bytes of JSON, nested at most ${EVENT_LIMITS.dataDepth} deep`);
    }
    if (Object.keys(e.data).length > 0) checked.value.d = e.data as Record<string, unknown>;
  }
  return checked;
}

export const isProblem = (value: CheckedEvent | EventProblem): value is EventProblem => 'code' in value;
