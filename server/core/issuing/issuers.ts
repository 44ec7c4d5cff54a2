import type { BadgeFields } from '../../../types/api.js';
import { normalizeEmail } from '../email.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { BadgeRecord, Item, ServiceRecord } from '../model.js';
import type { Reads, Tx } from '../ports.js';
import { requireService } from '../rules/services.js';

/**
 * Issuers and programs inside a service, as BadgeKit organised badges (its systems are our
 * services): an issuer is an organisation that gives badges (name, url, email, image, description);
 * a program a series of badges of one issuer. A badge belongs to at most one program or issuer (its
 * `program` and `issuer` fields); one with neither is the service's own, the default issuer.
 *
 * `issuer` items (id a slug, no owner) and `program` items (id a slug, owner their issuer, so an
 * issuer's programs are one index read). The default issuer exists without an item: its name is the
 * service's until the site gives it a profile of its own (an `issuer` item with id `default`).
 *
 * A badge in a program carries its program's issuer in its own `issuer` field, kept so by every
 * write (a program moved to another issuer moves its badges), so that a list filtered by issuer
 * reads badges alone.
 */
export const ISSUER_KIND = 'issuer';
export const PROGRAM_KIND = 'program';
export const DEFAULT_ISSUER = 'default';
/** What an issuer or program id is: BadgeKit's slugs. */
export const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Issuers and programs of one service, each: they are organisations, not people. */
export const MAX_ISSUERS = 1000;
export const MAX_PROGRAMS = 1000;

export interface IssuerProfile {
  name: string;
  url?: string;
  email?: string;
  image?: string;
  description?: string;
}

export interface Issuer extends IssuerProfile {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** The default issuer without a profile of its own: the service itself (never stored). */
  implicit?: true;
}

export interface ProgramProfile {
  issuer: string;
  name: string;
  url?: string;
  description?: string;
}

export interface Program extends ProgramProfile {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** The default issuer as it is when the site gave it no profile: the service itself. */
export const implicitIssuer = (service: ServiceRecord): Issuer => ({ id: DEFAULT_ISSUER, name: service.name, createdAt: service.createdAt, updatedAt: service.createdAt, implicit: true });

/** The issuer `id` of the service, from its item (none: undefined, but for the default issuer, which always is). */
export function issuerFrom(service: ServiceRecord, id: string, item: Item | undefined): Issuer | undefined {
  if (item) return item.v as Issuer;
  return id === DEFAULT_ISSUER ? implicitIssuer(service) : undefined;
}

/** The issuer, the default one included (with its profile if it has one); undefined if there is none. */
export async function findIssuer(tx: Reads, service: string, id: string): Promise<Issuer | undefined> {
  return issuerFrom(await requireService(tx, service), id, await tx.item(service, ISSUER_KIND, id));
}

export const issuerNotFound = (service: string, id: string) => notFound('issuer_not_found', `Service "${service}" has no issuer "${id}"`);
export const programNotFound = (service: string, id: string) => notFound('program_not_found', `Service "${service}" has no program "${id}"`);

export async function requireProgram(tx: Reads, service: string, id: string): Promise<Program> {
  const item = await tx.item(service, PROGRAM_KIND, id);
  if (!item) throw programNotFound(service, id);
  return item.v as Program;
}

/** Creates the issuer or replaces its profile whole. */
export async function putIssuer(tx: Tx, service: string, id: string, profile: IssuerProfile): Promise<{ issuer: Issuer; created: boolean }> {
  await requireService(tx, service);
  checkSlug(id, 'issuer');
  const existing = (await tx.item(service, ISSUER_KIND, id))?.v as Issuer | undefined;
  if (!existing && id !== DEFAULT_ISSUER && (await tx.items(service, ISSUER_KIND)).length >= MAX_ISSUERS) {
    throw invalid('too_many_issuers', `A service has at most ${MAX_ISSUERS} issuers`);
  }
  const email = profile.email === undefined ? undefined : normalizeEmail(profile.email);
  if (profile.email !== undefined && email === undefined) throw invalid('invalid_email', `The issuer's "email" is not an email address`);
  const now = tx.now.toISOString();
  const issuer: Issuer = { id, ...profile, ...(email ? { email } : {}), createdAt: existing?.createdAt ?? now, updatedAt: now };
  tx.put({ t: 'item', s: service, v: { kind: ISSUER_KIND, id, owner: null, at: issuer.createdAt, v: issuer } });
  tx.emit({ type: existing ? 'issuer.updated' : 'issuer.created', service, issuer: id, at: now });
  return { issuer, created: !existing };
}

/**
 * Deletes an issuer that nothing belongs to (409 `issuer_in_use` names what does). The default
 * issuer always exists: deleting it drops its profile, and it is the service again.
 */
export async function deleteIssuer(tx: Tx, service: string, id: string): Promise<Issuer> {
  await requireService(tx, service);
  const item = await tx.item(service, ISSUER_KIND, id);
  if (!item) {
    if (id === DEFAULT_ISSUER) throw notFound('issuer_not_found', `The default issuer of service "${service}" has no profile of its own to delete`);
    throw issuerNotFound(service, id);
  }
  if (id !== DEFAULT_ISSUER) {
    const programs = (await tx.items(service, PROGRAM_KIND, { owner: id })).map((p) => p.id);
    const badges = (await tx.allBadges(service)).filter((b) => b.fields.issuer === id).map((b) => b.name);
    if (programs.length > 0 || badges.length > 0) {
      throw conflict('issuer_in_use', `Issuer "${id}" has ${programs.length} program(s) and ${badges.length} badge(s); move or delete them first`, { programs, badges });
    }
  }
  tx.put({ t: 'item-', s: service, k: ISSUER_KIND, id });
  tx.emit({ type: 'issuer.deleted', service, issuer: id, at: tx.now.toISOString() });
  return item.v as Issuer;
}

/**
 * Creates the program or replaces it whole. Moved to another issuer, it takes its badges along:
 * their `issuer` follows, in the same unit.
 */
export async function putProgram(tx: Tx, service: string, id: string, profile: ProgramProfile): Promise<{ program: Program; created: boolean }> {
  await requireService(tx, service);
  checkSlug(id, 'program');
  if (!(await findIssuer(tx, service, profile.issuer))) throw invalid('unknown_issuer', `Service "${service}" has no issuer "${profile.issuer}"; create it with PUT /v1/${service}/issuers/${profile.issuer}.json first`);
  const existing = (await tx.item(service, PROGRAM_KIND, id))?.v as Program | undefined;
  if (!existing && (await tx.items(service, PROGRAM_KIND)).length >= MAX_PROGRAMS) throw invalid('too_many_programs', `A service has at most ${MAX_PROGRAMS} programs`);
  const now = tx.now.toISOString();
  const program: Program = { id, ...profile, createdAt: existing?.createdAt ?? now, updatedAt: now };
  tx.put({ t: 'item', s: service, v: { kind: PROGRAM_KIND, id, owner: profile.issuer, at: program.createdAt, v: program } });
  if (existing && existing.issuer !== profile.issuer) {
    for (const badge of await tx.allBadges(service)) {
      if (badge.fields.program !== id) continue;
      tx.put({ t: 'badge', s: service, v: { ...badge, fields: { ...badge.fields, issuer: profile.issuer } } });
      tx.emit({ type: 'badge.updated', service, badge: badge.name, at: now });
    }
  }
  tx.emit({ type: existing ? 'program.updated' : 'program.created', service, program: id, issuer: profile.issuer, at: now });
  return { program, created: !existing };
}

/** Deletes a program no badge belongs to (409 `program_in_use` names those that do). */
export async function deleteProgram(tx: Tx, service: string, id: string): Promise<Program> {
  const program = await requireProgram(tx, service, id);
  const badges = (await tx.allBadges(service)).filter((b) => b.fields.program === id).map((b) => b.name);
  if (badges.length > 0) throw conflict('program_in_use', `Program "${id}" has ${badges.length} badge(s); move or delete them first`, { badges });
  tx.put({ t: 'item-', s: service, k: PROGRAM_KIND, id });
  tx.emit({ type: 'program.deleted', service, program: id, issuer: program.issuer, at: tx.now.toISOString() });
  return program;
}

/**
 * Where a badge belongs, as a write of its fields leaves it: what the write says of `issuer` and
 * `program` must name ones that exist, and agree (a program implies its issuer, which the badge
 * then carries). A write that says neither leaves them as they were, whatever they hold (a badge
 * registered before these fields had a meaning may hold any text in them).
 */
export async function settleHome(tx: Reads, service: string, badge: string, input: BadgeFields, merged: BadgeFields): Promise<BadgeFields> {
  const setsIssuer = typeof input.issuer === 'string';
  const setsProgram = typeof input.program === 'string';
  if (!setsIssuer && !setsProgram) return merged;
  if (setsIssuer && !(await findIssuer(tx, service, input.issuer as string))) {
    throw invalid('unknown_issuer', `Badge "${badge}": service "${service}" has no issuer "${input.issuer}"`);
  }
  const programId = typeof merged.program === 'string' ? merged.program : undefined;
  const program = programId === undefined ? undefined : ((await tx.item(service, PROGRAM_KIND, programId))?.v as Program | undefined);
  if (setsProgram && !program) throw invalid('unknown_program', `Badge "${badge}": service "${service}" has no program "${input.program}"`);
  if (!program) return merged;
  if (setsIssuer && input.issuer !== program.issuer) {
    throw invalid('issuer_mismatch', `Badge "${badge}": program "${program.id}" is issuer "${program.issuer}"'s, not "${input.issuer}"'s; set "program": null to leave the program`);
  }
  return { ...merged, issuer: program.issuer };
}

/** Whether a badge belongs to the issuer (or program) asked for; none asked: every badge does. */
export function belongsTo(badge: Pick<BadgeRecord, 'fields'>, filter: { issuer?: string; program?: string }): boolean {
  const { issuer, program } = badge.fields;
  if (filter.program !== undefined && program !== filter.program) return false;
  if (filter.issuer === undefined) return true;
  return filter.issuer === DEFAULT_ISSUER ? issuer === undefined || issuer === DEFAULT_ISSUER : issuer === filter.issuer;
}

/** The issuer a badge is given by: its own, or the service (the default issuer). */
export const issuerOf = (badge: Pick<BadgeRecord, 'fields'>): string => (typeof badge.fields.issuer === 'string' ? badge.fields.issuer : DEFAULT_ISSUER);

function checkSlug(id: string, what: 'issuer' | 'program'): void {
  if (!SLUG.test(id)) throw invalid(`invalid_${what}_id`, `${what === 'issuer' ? 'An issuer' : 'A program'} id is 1-64 lowercase letters, digits or "-", starting with a letter or digit`);
}
