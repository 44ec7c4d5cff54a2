import { Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { ValueError } from '@sinclair/typebox/compiler';
import type { ParsedUrlQuery } from 'node:querystring';
import { RESERVED_BADGE_FIELDS } from '../../types/api.js';
import {
  BadgeInput as BadgeInputSchema,
  NAME_KIND,
  NameList,
  ServiceName,
  Sort,
  fieldNameProblem,
  nameProblem,
  type BadgeFields,
  type BadgeInput as BadgeInputWire,
  type JsonValue,
  type Refusal,
  type RefusalAnnotation,
} from '../../types/schema.js';
import type { BadgeInput } from '../core/model.js';
import { HttpError } from './errors.js';
import { jsonDepth } from '../core/json-depth.js';
import { checker, keyOf, refusalOf, withKey } from '../core/schema-refusal.js';

export { checker };

/**
 * Checks what comes from outside against the schemas of `types/schema.ts`. Each checker is compiled
 * once; a value that fails is refused with the `x-error` of the schema node it failed, so the codes
 * are declared beside the rules they stand for. What a schema cannot say (NFC normalisation, the
 * custom fields' count, depth and size) is checked after it, by the small functions below.
 */

export type Where = 'path' | 'query' | 'body';

/** The value, names NFC-normalised, if it satisfies the schema; else the refusal its failing node names. */
export function check<T extends TSchema>(schema: T, value: unknown, where: Where): Static<T> {
  const compiledCheck = checker(schema);
  if (compiledCheck.Check(value)) return normalised(schema, value) as Static<T>;
  throw refusal(schema, compiledCheck.Errors(value).First()!, where);
}

/** A query as Koa parses it, read as the schema's properties say: integers, lists, strings. */
export function query<T extends TObject>(schema: T, raw: ParsedUrlQuery): Static<T> {
  const values: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = raw[key];
    if (value === undefined) continue;
    values[key] = property.type === 'integer' ? integer(value) : property.type === 'array' ? list(value) : value;
  }
  return check(schema, values, 'query');
}

/** 1-9 decimal digits; anything else stays text and fails the schema. */
const integer = (raw: string | string[]) => (typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : raw);

/**
 * `a,b` (OpenAPI's form style) or a repeated parameter (`names=a&names=b`, the original client's
 * list): one list, without empty entries, of NFC forms counted once.
 */
const list = (raw: string | string[]) => [...new Set((typeof raw === 'string' ? raw : raw.join(',')).split(',').filter((n) => n !== '').map((n) => n.normalize('NFC')))];

// The three checks the fast path makes on the URLs it has not seen before.
export const serviceName = (raw: string): string => check(ServiceName, raw, 'path');
export const sort = (raw: string | string[] | undefined) => (raw === undefined ? undefined : check(Sort, raw, 'query'));
export const names = (raw: string | string[] | undefined) => (raw === undefined ? undefined : check(NameList, list(raw), 'query'));

// ---------------------------------------------------------------------------------------------------
// From a failed check to the refusal its schema declares (core/schema-refusal.ts), as an answer

function refusal(root: TSchema, error: ValueError, where: Where): HttpError {
  const { code, message, status } = refusalOf(root, error);
  return new HttpError(status ?? 400, code ?? `invalid_${where}`, located(message ?? `Invalid ${where}`, error.path, where), { in: where, pointer: error.path });
}

/** `badges[2]: A badge name ...`: in a body, where the failing value is. */
function located(message: string, pointer: string, where: Where): string {
  const segments = pointer.split('/').slice(1).map(keyOf);
  const isIndex = (segment: string) => /^\d+$/.test(segment);
  let end = segments.length;
  while (end > 0 && !isIndex(segments[end - 1]!)) end--;
  if (where !== 'body' || end === 0) return message;
  return `${segments.slice(0, end).map((s) => (isIndex(s) ? `[${s}]` : `.${s}`)).join('').slice(1)}: ${message}`;
}

/** NFC forms of the names in a checked value; new objects only where a name changed. */
function normalised(schema: TSchema, value: unknown): unknown {
  if (schema[Kind] === NAME_KIND) return (value as string).normalize('NFC');
  if (schema.type === 'array' && Array.isArray(value)) return value.map((item) => normalised(schema.items, item));
  if (schema.type !== 'object' || !schema.properties || typeof value !== 'object' || value === null) return value;
  let copy = value as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    if (!Object.hasOwn(value, key)) continue;
    const before = (value as Record<string, unknown>)[key];
    const after = normalised(property, before);
    // A spread copies a "__proto__" key as data; only schema keys are assigned.
    if (after !== before) (copy === value ? (copy = { ...copy }) : copy)[key] = after;
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// After the schema: the custom fields of a badge

const limits = BadgeInputSchema as unknown as Record<'x-max-fields' | 'x-max-depth' | 'x-max-bytes', number>;
const annotation = BadgeInputSchema['x-error'] as RefusalAnnotation;

function refuseBadge(keyword: string, badge: string, key = ''): HttpError {
  const { code, message, status = 400 } = annotation[keyword] as Refusal;
  return new HttpError(status, code, `Badge "${badge}": ${withKey(message, key)}`);
}


/**
 * Checked badges as the core takes them: custom fields apart from the name, the server's own fields
 * left out (so a badge read with GET, changed and sent back with PUT goes through).
 */
export function badgeInputs(badges: readonly BadgeInputWire[]): BadgeInput[] {
  return badges.map(({ name, ...rest }) => {
    const keys = Object.keys(rest).filter((key) => !(RESERVED_BADGE_FIELDS as readonly string[]).includes(key));
    if (keys.length > limits['x-max-fields']) throw refuseBadge('x-max-fields', name);
    const fields: BadgeFields = {};
    for (const key of keys) {
      if (fieldNameProblem(key)) throw refuseBadge('propertyNames', name, key);
      fields[key] = rest[key] as JsonValue;
    }
    if (depth(fields) > limits['x-max-depth']) throw refuseBadge('x-max-depth', name);
    if (Buffer.byteLength(JSON.stringify(fields)) > limits['x-max-bytes']) throw refuseBadge('x-max-bytes', name);
    return { name, fields };
  });
}

const depth = (value: unknown) => jsonDepth(value, limits['x-max-depth']);

/** Progress by badge name, the names NFC-normalised (map keys are not checked by the schema). */
export function progressInput(progress: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(progress).map(([name, value]) => {
      const problem = nameProblem(name);
      if (problem) throw new HttpError(400, 'invalid_badge_name', `progress: a badge name ${problem}`, { in: 'body', pointer: `/progress/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` });
      return [name.normalize('NFC'), value];
    }),
  );
}
