import { randomBytes } from 'node:crypto';
import { conflict, invalid, notFound } from '../errors.js';
import type { Reads, Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { KIND, typeKey } from './kinds.js';
import type { Rule, RuleDefinition, RuleValue } from './rule-model.js';
import { getRule, listRules } from './rule-reads.js';
import { scheduleStateSweep } from './state-sweep.js';

export { getRule, listRules };
import { inCatalogue } from './catalogue.js';
import { durationMs } from './window.js';

/** Rules of a service, created and changed at run time; each checked against what exists. */

export const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** More would make every event slow to take in. */
export const MAX_RULES = 200;

/** Creates a rule; `id` defaults to the badge's name made into an id, or a random one. */
export async function createRule(tx: Tx, service: string, definition: RuleDefinition, id?: string): Promise<Rule> {
  await requireService(tx, service);
  const rules = await listRules(tx, service);
  if (rules.length >= MAX_RULES) throw invalid('too_many_rules', `A service has at most ${MAX_RULES} rules`);
  id ??= freeId(definition.badge, new Set(rules.map((r) => r.id)));
  if (!RULE_ID.test(id)) throw invalid('invalid_rule_id', 'A rule id is 1-64 lowercase letters, digits, "_" or "-"');
  if (rules.some((r) => r.id === id)) throw conflict('rule_exists', `Rule "${id}" exists; change it with PUT`);
  return saveRule(tx, service, id, definition, rules, undefined);
}

/** The rule as it would be saved, checked as it would be; nothing is written. */
export async function draftRule(tx: Tx, service: string, definition: RuleDefinition): Promise<Rule> {
  await requireService(tx, service);
  const clean = await checkRule(tx, service, definition);
  refuseCycles('\0draft', clean, await listRules(tx, service));
  const now = tx.now.toISOString();
  return { id: 'draft', ...clean, rev: '\0draft', createdAt: now, updatedAt: now };
}

export async function updateRule(tx: Tx, service: string, id: string, definition: RuleDefinition): Promise<Rule> {
  await requireService(tx, service);
  const rules = await listRules(tx, service);
  const old = rules.find((r) => r.id === id);
  if (!old) throw notFound('rule_not_found', `Rule "${id}" does not exist in service "${service}"`);
  return saveRule(tx, service, id, definition, rules, old);
}

export async function deleteRule(tx: Tx, service: string, id: string): Promise<void> {
  if (!(await tx.item(service, KIND.rule, id))) throw notFound('rule_not_found', `Rule "${id}" does not exist in service "${service}"`);
  tx.put({ t: 'item-', s: service, k: KIND.rule, id });
  tx.put({ t: 'item-', s: service, k: KIND.backfill, id });
  scheduleStateSweep(tx, service);
  tx.emit({ type: 'rule.deleted', service, rule: id, at: tx.now.toISOString() });
}

async function saveRule(tx: Tx, service: string, id: string, definition: RuleDefinition, rules: Rule[], old: Rule | undefined): Promise<Rule> {
  const clean = await checkRule(tx, service, definition);
  refuseCycles(id, clean, rules);
  const now = tx.now.toISOString();
  // The same definition keeps its revision, and so what its state counted: its description is not
  // part of what it counts, so a change of wording awards nobody again.
  const same = old && JSON.stringify(counted(old)) === JSON.stringify(counted(clean));
  const value: RuleValue = { ...clean, rev: same ? old.rev : randomBytes(6).toString('base64url'), createdAt: old?.createdAt ?? now, updatedAt: now };
  // The states of the revision replaced count for nothing now.
  if (old && !same) scheduleStateSweep(tx, service);
  tx.put({ t: 'item', s: service, v: { kind: KIND.rule, id, owner: null, at: value.createdAt, v: value } });
  tx.emit({ type: old ? 'rule.updated' : 'rule.created', service, rule: id, badge: value.badge, at: now });
  return { id, ...value };
}

/** What a rule counts: its definition without the words about it. */
function counted(rule: RuleDefinition): RuleDefinition {
  const { description: _, ...rest } = definitionOf(rule);
  return rest as RuleDefinition;
}

/** The definition without the server's fields, in one key order. */
export function definitionOf(rule: RuleDefinition): RuleDefinition {
  const { badge, condition, eventTypes, data, count, window, repeatable, badges, revoke, description } = rule;
  return Object.fromEntries(
    Object.entries({ badge, condition, eventTypes, data, count, window, repeatable, badges, revoke, description }).filter(([, v]) => v !== undefined && v !== null),
  ) as unknown as RuleDefinition;
}

/**
 * A rule's definition checked as creating it checks it, against the service's badges, event types
 * and other rules (import checks a rule it restores with this), nothing written.
 */
export async function checkRuleDefinition(tx: Tx, service: string, id: string, definition: RuleDefinition): Promise<void> {
  refuseCycles(id, await checkRule(tx, service, definition), await listRules(tx, service));
}

/** Refuses what cannot work, each with a code saying what; answers the definition as kept. */
async function checkRule(tx: Tx, service: string, rule: RuleDefinition): Promise<RuleDefinition> {
  const clean = definitionOf(rule);
  const badges = [clean.badge, ...(clean.badges ?? [])];
  const found = await tx.badges(service, badges);
  const unknown = [...new Set(badges.filter((b) => !found.has(b)))];
  if (unknown.length > 0) {
    throw invalid('unknown_badge', `Not registered in service "${service}": ${unknown.join(', ')}. Register badges with PUT /v1/${service}/badges.json first.`, unknown);
  }
  const misplaced = (field: string, conditions: string) => invalid('invalid_rule', `"${field}" is for ${conditions} rules only, not "${clean.condition}"`);
  if (clean.condition === 'badges') {
    if (!clean.badges?.length) throw invalid('invalid_rule', 'A badges rule needs "badges": the badges a user must hold');
    for (const field of ['eventTypes', 'data', 'window', 'repeatable'] as const) if (clean[field] !== undefined) throw misplaced(field, 'count, first and days');
    const distinct = new Set(clean.badges).size;
    if (clean.count !== undefined && clean.count > distinct) {
      throw invalid('invalid_rule', `"count" of a badges rule is how many of its ${distinct} badges a user must hold: at most ${distinct}`);
    }
    return clean;
  }
  if (clean.badges !== undefined) throw misplaced('badges', 'badges');
  if (!clean.eventTypes?.length) throw invalid('invalid_rule', `A ${clean.condition} rule needs "eventTypes": the event types that count`);
  const missing: string[] = [];
  for (const t of clean.eventTypes) if (!inCatalogue(typeKey(t)) && !(await tx.item(service, KIND.eventType, typeKey(t)))) missing.push(typeKey(t));
  if (missing.length > 0) {
    throw invalid('unknown_event_type', `Event types not registered in service "${service}": ${missing.join(', ')}. Register them with PUT /v1/${service}/event-types.json first.`, missing);
  }
  if (clean.window !== undefined && clean.window !== null && durationMs(clean.window) === undefined) {
    throw invalid('invalid_window', `"window" must be an ISO-8601 duration in weeks, days, hours, minutes or seconds, up to 3660 days (e.g. P7D, PT12H), not ${JSON.stringify(clean.window)}`);
  }
  if (clean.condition === 'first') {
    for (const field of ['count', 'window', 'repeatable'] as const) if (clean[field] !== undefined) throw misplaced(field, 'count and days');
  }
  if (clean.revoke && clean.window === undefined) {
    throw invalid('invalid_rule', '"revoke" needs a "window": without one, a count of events never goes down, so the condition never stops holding');
  }
  if (clean.revoke && clean.repeatable) throw invalid('invalid_rule', 'A repeatable rule cannot revoke: which of its awards would go?');
  return clean;
}

/**
 * Badges rules award on awards: a badge that, through such rules, requires itself would be
 * awarded in a loop (or never). Refused when the rule is saved, naming the cycle.
 */
function refuseCycles(id: string, rule: RuleDefinition, rules: Rule[]): void {
  const requires = new Map<string, Set<string>>();
  for (const r of [...rules.filter((r) => r.id !== id), { ...rule, id }]) {
    if (r.condition !== 'badges') continue;
    const set = requires.get(r.badge) ?? new Set<string>();
    for (const b of r.badges ?? []) set.add(b);
    requires.set(r.badge, set);
  }
  const path: string[] = [];
  const visit = (badge: string): string[] | undefined => {
    const at = path.indexOf(badge);
    if (at >= 0) return [...path.slice(at), badge];
    path.push(badge);
    for (const next of requires.get(badge) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    return undefined;
  };
  const cycle = visit(rule.badge);
  if (cycle) throw invalid('rule_cycle', `Badges rules would make a cycle: ${cycle.join(' requires ')}`, cycle);
}

function freeId(badge: string, taken: Set<string>): string {
  const base = badge.toLowerCase().normalize('NFKD').replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 56) || 'rule';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
