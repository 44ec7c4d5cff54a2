import type { Reactor } from '../reactor.js';
import type { AwardRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { awardFor, revokeFor } from './award-for.js';
import { listRules } from './rules.js';
import type { Rule } from './rule-model.js';
import { loadState, saveState } from './state.js';

/**
 * Badges rules (meta-badges): after every award or revocation in a unit, in the same unit. Their
 * awards are seen by this reactor again in the next round, so meta-badges of meta-badges work;
 * cycles are refused when rules are saved.
 */
export const metaBadges: Reactor = async (tx, events) => {
  const touched = new Map<string, { service: string; user: string; badges: Set<string> }>();
  const touch = (service: string, user: string, badge: string) => {
    const key = `${service}\n${user}`;
    const entry = touched.get(key) ?? { service, user, badges: new Set<string>() };
    entry.badges.add(badge);
    touched.set(key, entry);
  };
  const rulesOf = new Map<string, Rule[]>();
  const metaRules = async (service: string) => {
    let rules = rulesOf.get(service);
    if (!rules) rulesOf.set(service, (rules = (await listRules(tx, service)).filter((r) => r.condition === 'badges')));
    return rules;
  };
  for (const event of events) {
    if (event.type === 'award.created' || event.type === 'award.revoked') touch(event.service, event.user, event.badge);
    // A badge deleted is taken from everyone at once, with one event: the holders of a meta-badge
    // that needed it are looked at as if each had lost it.
    if (event.type === 'badge.deleted') {
      for (const rule of await metaRules(event.service)) {
        if (!rule.badges!.includes(event.badge)) continue;
        for (const user of await tx.holders(event.service, rule.badge)) touch(event.service, user, event.badge);
      }
    }
  }
  if (touched.size === 0) return;
  for (const { service, user, badges } of touched.values()) {
    for (const rule of await metaRules(service)) if (rule.badges!.some((b) => badges.has(b))) await evaluateMeta(tx, service, rule, user);
  }
};

/**
 * When a user holding `awards` earned the badges rule's badge: when the last badge it needs was
 * first awarded (all of its badges, or the `count`-th of them, BadgeKit's "any N of M"); undefined
 * while they hold too few.
 */
export function earnedAt(rule: Rule, awards: readonly AwardRecord[]): string | undefined {
  const wanted = new Set(rule.badges);
  const firsts = awards.filter((a) => wanted.has(a.badge)).map((a) => a.first).sort();
  const needed = rule.count ?? wanted.size;
  return firsts.length >= needed ? firsts[needed - 1] : undefined;
}

/** Awards the rule's badge if the user holds the badges it needs and the rule has not awarded it; revokes if asked to and they no longer do. */
export async function evaluateMeta(tx: Tx, service: string, rule: Rule, user: string): Promise<boolean> {
  const record = await tx.user(service, user);
  const at = earnedAt(rule, record?.awards ?? []);
  const holds = at !== undefined;
  const state = await loadState(tx, service, rule, user);
  if (holds && state.a === 0) {
    if (!(await awardFor(tx, service, rule.badge, user, at, { rule: rule.id }))) return false;
    saveState(tx, service, rule, user, { ...state, a: 1 });
    return true;
  }
  if (!holds && state.a > 0 && rule.revoke) {
    await revokeFor(tx, service, rule.badge, user, { rule: rule.id });
    saveState(tx, service, rule, user, { ...state, a: 0 });
  }
  return false;
}

