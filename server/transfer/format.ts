import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { noProtoKeys, RecordProblem } from './records.js';

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
const Service = Type.String({ minLength: 1, maxLength: 64 });

const Source = Type.Object({ store: Type.Literal('embedded'), file: Type.String(), host: Type.String() });
const Header = Type.Object({
  format: Type.Literal(FORMAT),
  version: Type.Integer(),
  exportedAt: Time,
  // Absent in files written before it was said: those held every secret.
  secrets: Type.Optional(Type.Boolean()),
  from: Type.Optional(Source),
});

// The envelope of each kind of line; the record in it is checked as the API checks what makes it
// (records.ts), by the importer.
const closed = { additionalProperties: false } as const;
const Lines = {
  service: Type.Object({ service: Type.Unknown() }, closed),
  badge: Type.Object({ badge: Type.Object({ service: Service, record: Type.Unknown() }, closed) }, closed),
  user: Type.Object({ user: Type.Object({ service: Service, record: Type.Unknown() }, closed) }, closed),
  item: Type.Object({ item: Type.Object({ service: Service, record: Type.Unknown() }, closed) }, closed),
};

/** Why a file cannot be imported: the line, the record and the field, and what is wrong. */
export class ImportError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

export type HeaderLine = Static<typeof Header>;
export type Source = Static<typeof Source>;
export type RecordLine =
  | { service: unknown }
  | { badge: { service: string; record: unknown } }
  | { user: { service: string; record: unknown } }
  | { item: { service: string; record: unknown } };

const header = TypeCompiler.Compile(Header);
const lines = Object.fromEntries(Object.entries(Lines).map(([kind, schema]) => [kind, TypeCompiler.Compile(schema)]));

/** The header, or an error naming what is wrong with it. */
export function parseHeader(text: string): HeaderLine {
  const value = parseJson(text, 1);
  if (!header.Check(value)) throw new ImportError(1, `line 1: not a user-badges export (expected {"format":"${FORMAT}","version":${VERSION},...})`);
  if (value.version !== VERSION) throw new ImportError(1, `line 1: format version ${value.version}; this version of user-badges reads version ${VERSION}`);
  return value;
}

export function parseRecord(text: string, number: number): RecordLine {
  const value = parseJson(text, number);
  try {
    noProtoKeys(value);
  } catch (error) {
    if (error instanceof RecordProblem) throw new ImportError(number, `line ${number}: ${error.field}: ${error.message}`);
    throw error;
  }
  // Checked against the one kind of record the line says it is, so the error names the field.
  const kind = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value)[0] : undefined;
  const check = kind === undefined ? undefined : lines[kind];
  if (!check) throw new ImportError(number, `line ${number}: not a service, badge, user or item record`);
  if (!check.Check(value)) {
    const error = check.Errors(value).First();
    throw new ImportError(number, `line ${number}: not a ${kind} line (${error?.path}: ${error?.message})`);
  }
  return value as RecordLine;
}

function parseJson(text: string, number: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ImportError(number, `line ${number}: not JSON (${(error as Error).message})`);
  }
}
