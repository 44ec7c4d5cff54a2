import type { Static } from '@sinclair/typebox';
import { EventInput, GetBadgesEventInput } from '../../../types/events-schema.js';
import type { Refusal } from '../../../types/schema.js';
import { normalizeEmail } from '../email.js';
import { jsonDepth } from '../json-depth.js';
import { checker, refusalOf } from '../schema-refusal.js';
import { parseTime } from '../time.js';
import { typeKey, type StoredEvent } from './kinds.js';

/**
 * One event as sent, checked against its schema (types/events-schema.ts), which declares the code of
 * each refusal and every limit; then what a schema cannot say (one of `user` and `email`, an address
 * that is one, the size and depth of `data`, a time that exists). Each event of a batch is judged
 * alone: a bad one is a per-event error, never the batch's failure.
 */

type SentEvent = Static<typeof EventInput>;
const fields = EventInput.properties;
const dataLimits = fields.data as unknown as { 'x-max-bytes': number; 'x-max-depth': number };

export const EVENT_LIMITS = {
  idLength: fields.id.anyOf[0].maxLength!,
  dataBytes: dataLimits['x-max-bytes'],
  dataDepth: dataLimits['x-max-depth'],
};

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

/** The refusal a field's schema declares, for what is checked after the schema. */
const refusal = (field: keyof typeof fields): EventProblem => {
  const { code, message } = fields[field]['x-error'] as Refusal;
  return { code, message };
};

/** The event's id as text, if it has a usable one (for reporting a refusal by id). */
export function eventIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { id?: unknown }).id;
  if (typeof id === 'string' && id.length > 0 && id.length <= EVENT_LIMITS.idLength) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return undefined;
}

export function checkEvent(raw: unknown, { getbadges = false } = {}): CheckedEvent | EventProblem {
  const schema = getbadges ? GetBadgesEventInput : EventInput;
  const check = checker(schema);
  if (!check.Check(raw)) {
    const { code = 'invalid_event', message = 'Not an event' } = refusalOf(schema, check.Errors(raw).First()!);
    return { code, message };
  }
  const e = raw as SentEvent;
  const type = typeKey(e.eventType);
  const checked: CheckedEvent = { id: eventIdOf(e)!, type, value: { t: type } };
  if (e.user !== undefined && e.email !== undefined && e.email !== '') return { code: 'invalid_user', message: 'Give "user" or "email", not both' };
  if (e.user !== undefined) checked.user = e.user.normalize('NFC');
  else {
    if (e.email === undefined || e.email === '') return { code: 'invalid_user', message: 'Name the user: "user" (a user name) or "email" (an address set for a user)' };
    const email = normalizeEmail(e.email);
    if (!email) return refusal('email');
    checked.email = email;
  }
  if (e.at !== undefined) {
    // The pattern says the form; whether the day exists, only the calendar does (Date.parse reads
    // 2026-02-31 as 3 March).
    const ms = parseTime(e.at);
    if (ms === undefined) return refusal('at');
    checked.at = new Date(ms).toISOString();
  }
  if (e.preview) checked.value.p = e.preview;
  if (e.permalink) checked.value.l = e.permalink;
  if (e.data) {
    if (jsonDepth(e.data, EVENT_LIMITS.dataDepth) > EVENT_LIMITS.dataDepth || Buffer.byteLength(JSON.stringify(e.data)) > EVENT_LIMITS.dataBytes) return refusal('data');
    if (Object.keys(e.data).length > 0) checked.value.d = e.data as Record<string, unknown>;
  }
  return checked;
}

export const isProblem = (value: CheckedEvent | EventProblem): value is EventProblem => 'code' in value;
