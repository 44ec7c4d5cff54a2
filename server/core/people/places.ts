import type { BackfillProgress } from '../events/backfill.js';
import { KIND } from '../events/kinds.js';
import type { Tx } from '../ports.js';

/**
 * Walks that remember where they stand by a user's name or an event's id: a backfill (the last
 * user or event done) and the rule-state sweep (the last state, "rule/user"). When the person is
 * renamed their place moves with them; when erased it moves to just before them, with nothing of
 * them left. A walk that goes over a few records again does no harm: both are idempotent.
 */
export async function movePlaces(tx: Tx, service: string, from: string, to: string | null, events: ReadonlySet<string>): Promise<void> {
  for (const item of await tx.items(service, KIND.backfill)) {
    const progress = item.v as BackfillProgress;
    const { cursor } = progress;
    let moved: BackfillProgress['cursor'] | undefined;
    if (cursor === from) moved = to;
    else if (cursor !== null && typeof cursor === 'object' && to === null && events.has(cursor.id)) moved = { at: cursor.at, id: '' };
    if (moved !== undefined) tx.put({ t: 'item', s: service, v: { ...item, v: { ...progress, cursor: moved } } });
  }
  const sweep = await tx.item(service, KIND.stateSweep, 'sweep');
  const after = (sweep?.v as { after: { at: string; id: string } | null } | undefined)?.after;
  if (sweep && after && after.id.slice(after.id.indexOf('/') + 1) === from) {
    const id = to === null ? '' : `${after.id.slice(0, after.id.indexOf('/'))}/${to}`;
    tx.put({ t: 'item', s: service, v: { ...sweep, v: { after: { at: after.at, id } } } });
  }
}
