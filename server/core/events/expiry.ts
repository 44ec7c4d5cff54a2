import type { Tx } from '../ports.js';
import { revokeFor } from './award-for.js';
import { needed, windowOf } from './evaluate.js';
import { KIND } from './kinds.js';
import { recentEvents } from './live.js';
import { getRule } from './rules.js';
import { cancelExpiry, loadState, saveState, scheduleExpiry } from './state.js';
import { holdsAt, holdsUntil, pickUp } from './window-count.js';

/**
 * A windowed rule that revokes: when its expiry is due, the condition is checked again at the
 * unit's time, from the rule's counting (window-count.ts); still holding, the expiry moves on; not
 * holding, the badge is taken back.
 */
export async function expire(tx: Tx, service: string, id: string): Promise<void> {
  const item = await tx.item(service, KIND.expiry, id);
  if (!item || item.at > tx.now.toISOString()) return;
  const { rule: ruleId, user } = item.v as { rule: string; user: string };
  const rule = await getRule(tx, service, ruleId);
  const window = rule && windowOf(rule);
  const state = rule && (await loadState(tx, service, rule, user));
  if (!rule || !rule.revoke || !window || !state || state.a === 0) {
    tx.put({ t: 'item-', s: service, k: KIND.expiry, id });
    return;
  }
  const now = tx.now.getTime();
  // As if an event came now, for counting kept by an older version.
  const asOfNow = { id: '\u{10FFFF}', at: tx.now.toISOString(), type: '' };
  const w = state.w ?? pickUp(rule, needed(rule), undefined, await recentEvents(tx, service, rule, user, asOfNow));
  if (holdsAt(w, needed(rule), window, now)) {
    scheduleExpiry(tx, service, rule, user, holdsUntil(w, window));
    return;
  }
  await revokeFor(tx, service, rule.badge, user, { rule: rule.id });
  saveState(tx, service, rule, user, { ...state, a: 0 });
  cancelExpiry(tx, service, rule, user);
}
