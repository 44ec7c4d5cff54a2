import type { Item } from '../model.js';
import type { Reads, Tx } from '../ports.js';
import { emptyState, type RuleState } from './evaluate.js';
import { KIND, type StoredEvent } from './kinds.js';
import type { Occurrence, Rule } from './rule-model.js';

/** Per (rule, user) state and expiries as items; ids "rule/user" (neither may hold a "/"). */

export const stateId = (rule: string, user: string) => `${rule}/${user}`;

/** The state the rule's current revision has for the user; empty if none (or an older revision's). */
export async function loadState(tx: Reads, service: string, rule: Rule, user: string): Promise<RuleState> {
  const item = await tx.item(service, KIND.state, stateId(rule.id, user));
  const state = item?.v as RuleState | undefined;
  return state && state.r === rule.rev ? state : emptyState(rule);
}

export function saveState(tx: Tx, service: string, rule: Rule, user: string, state: RuleState): void {
  tx.put({ t: 'item', s: service, v: { kind: KIND.state, id: stateId(rule.id, user), owner: user, at: tx.now.toISOString(), v: state } });
}

/** Due at `at`: the expiry job takes the badge back then, unless the condition holds again. */
export function scheduleExpiry(tx: Tx, service: string, rule: Rule, user: string, at: string): void {
  tx.put({ t: 'item', s: service, v: { kind: KIND.expiry, id: stateId(rule.id, user), owner: user, at, v: { rule: rule.id, user } } });
}

export function cancelExpiry(tx: Tx, service: string, rule: Rule, user: string): void {
  tx.put({ t: 'item-', s: service, k: KIND.expiry, id: stateId(rule.id, user) });
}

export function occurrence(item: Item): Occurrence {
  const v = item.v as StoredEvent;
  return { id: item.id, at: item.at, type: v.t, ...(v.d ? { data: v.d } : {}) };
}
