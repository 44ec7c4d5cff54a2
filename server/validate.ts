import { LIMITS, RESERVED_BADGE_FIELDS, SERVICE_NAME, SORT_KEYS, type BadgeFields, type JsonValue, type SortKey } from '../types/api.js';
import { HttpError, badRequest } from './errors.js';
import type { BadgeInput } from './core/model.js';

/**
 * Validation of everything that comes from outside. Each function returns the clean value or throws
 * a 400 naming what is wrong; nothing reaches the store unchecked.
 */

// Control characters, and the separators names cannot hold: "," splits `?names=`, "/" splits paths.
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp},/]/u;
const UNSAFE_FIELD = new Set(['__proto__', 'constructor', 'prototype']);

export function serviceName(raw: string): string {
  if (!SERVICE_NAME.test(raw)) {
    throw badRequest('invalid_service_name', 'A service name is 1-64 letters, digits, "_" or "-", starting with a letter or digit');
  }
  return raw;
}

/** A user or badge name: any text a site uses, normalised so that look-alike spellings meet. */
export function name(raw: unknown, what: 'user' | 'badge'): string {
  if (typeof raw !== 'string') throw badRequest(`invalid_${what}_name`, `A ${what} name must be a string`);
  const value = raw.normalize('NFC');
  if (value.length === 0 || value.length > LIMITS.nameLength) {
    throw badRequest(`invalid_${what}_name`, `A ${what} name must be 1-${LIMITS.nameLength} characters`);
  }
  if (value.trim() !== value) throw badRequest(`invalid_${what}_name`, `A ${what} name cannot start or end with white space`);
  if (FORBIDDEN_IN_NAME.test(value)) {
    throw badRequest(`invalid_${what}_name`, `A ${what} name cannot contain control characters, "," or "/"`);
  }
  return value;
}

export function sort(raw: string | string[] | undefined): SortKey | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(SORT_KEYS as readonly string[]).includes(raw)) {
    throw badRequest('invalid_sort', `sort must be one of ${SORT_KEYS.join(', ')}`);
  }
  return raw as SortKey;
}

/**
 * `?names=a,b`: decoded, validated, without duplicates, at most `LIMITS.namesPerRequest`. A repeated
 * parameter (`?names=a&names=b`, how the original client sent a list) counts as one joined list.
 */
export function names(raw: string | string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const joined = typeof raw === 'string' ? raw : raw.join(',');
  const list = [...new Set(joined.split(',').filter((n) => n !== '').map((n) => name(n, 'user')))];
  if (list.length > LIMITS.namesPerRequest) {
    throw badRequest('too_many_names', `At most ${LIMITS.namesPerRequest} names per request; split the list`);
  }
  return list;
}

export function positiveInteger(raw: string | string[] | undefined, field: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) throw badRequest(`invalid_${field}`, `${field} must be a whole number from 1 to ${max}`);
  return value;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('invalid_body', 'The body must be a JSON object like {"badges": [...]}');
  }
  return body as Record<string, unknown>;
}

function badgesArray(body: unknown): unknown[] {
  const { badges } = bodyObject(body);
  if (!Array.isArray(badges)) throw badRequest('invalid_body', '"badges" must be an array');
  if (badges.length === 0) throw badRequest('invalid_body', '"badges" must not be empty');
  if (badges.length > LIMITS.badgesPerRequest) {
    throw badRequest('too_many_badges', `At most ${LIMITS.badgesPerRequest} badges per request`);
  }
  return badges;
}

/** `{"badges": ["a", "b"]}` */
export function badgeNames(body: unknown): string[] {
  return badgesArray(body).map((entry, i) => {
    if (typeof entry !== 'string') throw badRequest('invalid_badge_name', `badges[${i}] must be a badge name (a string)`);
    return name(entry, 'badge');
  });
}

/** `{"badges": [{"name": "a", "description": "...", ...custom}]}` */
export function badgeInputs(body: unknown): BadgeInput[] {
  return badgesArray(body).map((entry, i): BadgeInput => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw badRequest('invalid_badge', `badges[${i}] must be an object with a "name"`);
    }
    const { name: rawName, ...rest } = entry as Record<string, unknown>;
    if (rawName === undefined) throw badRequest('invalid_badge', `badges[${i}] has no "name"`);
    const badgeName = name(rawName, 'badge');
    const fields: BadgeFields = {};
    // Fields the server manages are ignored rather than refused, so that a badge read with GET,
    // changed and sent back with PUT goes through.
    const keys = Object.keys(rest).filter((key) => !(RESERVED_BADGE_FIELDS as readonly string[]).includes(key));
    if (keys.length > LIMITS.fieldsPerBadge) {
      throw badRequest('too_many_fields', `Badge "${badgeName}" has more than ${LIMITS.fieldsPerBadge} fields`);
    }
    for (const key of keys) {
      if (UNSAFE_FIELD.has(key) || key.length === 0 || key.length > LIMITS.fieldNameLength || FORBIDDEN_IN_NAME.test(key)) {
        throw badRequest('invalid_field', `Badge "${badgeName}": "${key.slice(0, 80)}" is not an allowed field name`);
      }
      fields[key] = rest[key] as JsonValue;
    }
    if (depth(fields) > LIMITS.fieldDepth) {
      throw badRequest('fields_too_deep', `Badge "${badgeName}": custom fields nest deeper than ${LIMITS.fieldDepth} levels`);
    }
    if (Buffer.byteLength(JSON.stringify(fields)) > LIMITS.badgeFieldsBytes) {
      throw new HttpError(413, 'fields_too_large', `Badge "${badgeName}": custom fields exceed ${LIMITS.badgeFieldsBytes} bytes of JSON`);
    }
    return { name: badgeName, fields };
  });
}

/** How deeply a JSON value nests, counted without recursion (a hostile value could overflow the stack). */
function depth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, level] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, level + 1);
    if (deepest > LIMITS.fieldDepth) return deepest;
    for (const child of Object.values(item)) stack.push([child, level + 1]);
  }
  return deepest;
}

/** `{"legacySignatures": false}`: the settings an operator may change; anything else is refused. */
export function serviceSettings(body: unknown, allowed: readonly string[] = ['legacySignatures']): { legacySignatures?: boolean } {
  const fields = bodyObject(body);
  const unknown = Object.keys(fields).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw badRequest('invalid_body', `Unknown field(s) ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; expected ${allowed.join(', ')}`);
  const { legacySignatures } = fields;
  if (legacySignatures !== undefined && typeof legacySignatures !== 'boolean') throw badRequest('invalid_body', '"legacySignatures" must be true or false');
  return legacySignatures === undefined ? {} : { legacySignatures };
}

/** `{"name": "topchefs", "legacySignatures": false}`: a service to create. */
export function newService(body: unknown): { name: string; legacySignatures?: boolean } {
  const settings = serviceSettings(body, ['name', 'legacySignatures']);
  const { name } = bodyObject(body);
  if (typeof name !== 'string') throw badRequest('invalid_service_name', '"name" must be the service name, a string');
  return { name: serviceName(name), ...settings };
}
