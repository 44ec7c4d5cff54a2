import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * The export format: JSON Lines, one record a line, so that a store of any size is written and read
 * a line at a time in bounded memory. The first line says what the file is and which version of
 * the format it holds; a service's line comes before its badges, and its badges before its users.
 *
 *   {"format":"user-badges-export","version":1,"exportedAt":"..."}
 *   {"service":{"name":"demo","key":"...","createdAt":"...","settings":{...}}}
 *   {"badge":{"service":"demo","record":{"name":"gold","fields":{...},"count":3,"latest":"...","createdAt":"..."}}}
 *   {"user":{"service":"demo","record":{"name":"daniel","createdAt":"...","awards":[...],"progress":{...}}}}
 *   {"item":{"service":"demo","record":{"kind":"event","id":"...","owner":"daniel","subject":"daniel","at":"...","v":{...}}}}
 *
 * Items (events, rules, keys, ...: see core/model.ts) come last in their service's section.
 *
 * The header says whether the file holds secrets (service keys, scoped keys, webhook signing
 * secrets; `export --without-secrets` leaves them out, and an import then makes new ones) and, for a
 * whole embedded store, which one it is: importing it into PostgreSQL marks that store moved.
 */

export const FORMAT = 'user-badges-export';
export const VERSION = 1;

// A pattern, not `format: 'date-time'`: TypeBox checks formats only once registered.
const Time = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' });
const Count = Type.Integer({ minimum: 0 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Json = Type.Unknown();

const Source = Type.Object({ store: Type.Literal('embedded'), file: Type.String(), host: Type.String() });
const Header = Type.Object({
  format: Type.Literal(FORMAT),
  version: Type.Integer(),
  exportedAt: Time,
  // Absent in files written before it was said: those held every secret.
  secrets: Type.Optional(Type.Boolean()),
  from: Type.Optional(Source),
});
const Service = Type.Object({
  name: Name,
  key: Type.Optional(Type.String({ minLength: 1 })),
  createdAt: Time,
  settings: Type.Optional(
    Type.Object({
      legacySignatures: Type.Optional(Type.Boolean()),
      quota: Type.Optional(Type.Object({ users: Count, badges: Count })),
    }),
  ),
});
const Badge = Type.Object({
  name: Name,
  fields: Type.Record(Type.String(), Json),
  count: Count,
  latest: Type.Union([Time, Type.Null()]),
  createdAt: Time,
});
const Award = Type.Object({
  badge: Name,
  count: Type.Integer({ minimum: 1 }),
  first: Time,
  latest: Time,
  period: Type.Optional(Type.Object({ start: Time, count: Type.Integer({ minimum: 1 }) })),
  points: Type.Optional(Count),
  recent: Type.Optional(
    Type.Object({ week: Time, weekCount: Count, weekPoints: Count, month: Time, monthCount: Count, monthPoints: Count }),
  ),
});
const User = Type.Object({
  name: Name,
  createdAt: Time,
  awards: Type.Array(Award),
  progress: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }))),
  featured: Type.Optional(Type.Array(Name)),
  hidden: Type.Optional(Type.Array(Name)),
});
const Item = Type.Object({
  kind: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
  id: Type.String({ minLength: 1 }),
  owner: Type.Union([Type.String(), Type.Null()]),
  // Exports made before items named their data subject have none: the import gives them their kind's.
  subject: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  at: Time,
  v: Json,
});

const Lines = {
  service: Type.Object({ service: Service }),
  badge: Type.Object({ badge: Type.Object({ service: Name, record: Badge }) }),
  user: Type.Object({ user: Type.Object({ service: Name, record: User }) }),
  item: Type.Object({ item: Type.Object({ service: Name, record: Item }) }),
};
const Line = Type.Union(Object.values(Lines));

export type HeaderLine = Static<typeof Header>;
export type Source = Static<typeof Source>;
export type RecordLine = Static<typeof Line>;

const header = TypeCompiler.Compile(Header);
const lines = Object.fromEntries(Object.entries(Lines).map(([kind, schema]) => [kind, TypeCompiler.Compile(schema)]));

/** The header, or an error naming what is wrong with it. */
export function parseHeader(text: string): HeaderLine {
  const value = parseJson(text, 1);
  if (!header.Check(value)) throw new Error(`line 1: not a user-badges export (expected {"format":"${FORMAT}","version":${VERSION},...})`);
  if (value.version !== VERSION) throw new Error(`line 1: format version ${value.version}; this version of user-badges reads version ${VERSION}`);
  return value;
}

export function parseRecord(text: string, number: number): RecordLine {
  const value = parseJson(text, number);
  // Checked against the one kind of record the line says it is, so the error names the field.
  const kind = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value)[0] : undefined;
  const check = kind === undefined ? undefined : lines[kind];
  if (!check) throw new Error(`line ${number}: not a service, badge, user or item record`);
  if (!check.Check(value)) {
    const error = check.Errors(value).First();
    throw new Error(`line ${number}: not a valid ${kind} record (${error?.path}: ${error?.message})`);
  }
  return value as RecordLine;
}

function parseJson(text: string, number: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`line ${number}: not JSON (${(error as Error).message})`);
  }
}
