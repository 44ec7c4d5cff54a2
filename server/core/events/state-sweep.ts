import type { Tx } from '../ports.js';
import { KIND } from './kinds.js';
import type { RuleState } from './evaluate.js';
import { listRules } from './rule-reads.js';

/**
 * Rule states left behind: those of a deleted rule, or of a rule's earlier revision (loadState
 * reads them as empty). States are kept per (rule, user) with the user as owner, so a rule's states
 * are found only by walking all of them: a sweep goes through them in pages, one unit each, with
 * its place kept in a `rule-state-sweep` item, so a kill or a new deletion midway loses nothing.
 */
const SWEEP_ID = 'sweep';
const PAGE = 1000;

interface Sweep {
  after: { at: string; id: string } | null;
}

/** Asks for a sweep from the start: a rule was deleted or changed what it counts. */
export function scheduleStateSweep(tx: Tx, service: string): void {
  const sweep: Sweep = { after: null };
  tx.put({ t: 'item', s: service, v: { kind: KIND.stateSweep, id: SWEEP_ID, owner: null, at: tx.now.toISOString(), v: sweep } });
}

/** One page of the service's sweep; answers whether there is more. */
export async function sweepStates(tx: Tx, service: string): Promise<boolean> {
  const item = await tx.item(service, KIND.stateSweep, SWEEP_ID);
  if (!item) return false;
  const { after } = item.v as Sweep;
  const revisions = new Map((await listRules(tx, service)).map((rule) => [rule.id, rule.rev]));
  const page = await tx.items(service, KIND.state, { ...(after ? { after } : {}), limit: PAGE });
  for (const state of page) {
    const rule = state.id.slice(0, state.id.indexOf('/'));
    if (revisions.get(rule) !== (state.v as RuleState).r) tx.put({ t: 'item-', s: service, k: KIND.state, id: state.id });
  }
  if (page.length < PAGE) {
    tx.put({ t: 'item-', s: service, k: KIND.stateSweep, id: SWEEP_ID });
    return false;
  }
  const last = page.at(-1)!;
  tx.put({ t: 'item', s: service, v: { ...item, v: { after: { at: last.at, id: last.id } } satisfies Sweep } });
  return true;
}
