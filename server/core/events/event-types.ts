import type { Reads, Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { KIND, typeKey, type EventTypeValue } from './kinds.js';

/** Registers event types (creating new ones, updating descriptions); answers all of them. */
export async function putEventTypes(tx: Tx, service: string, types: readonly EventTypeValue[]): Promise<EventTypeValue[]> {
  await requireService(tx, service);
  for (const t of types) {
    const id = typeKey(t);
    const old = await tx.item(service, KIND.eventType, id);
    const value: EventTypeValue = { source: t.source, type: t.type, action: t.action, ...(t.description ? { description: t.description } : {}) };
    tx.put({ t: 'item', s: service, v: { kind: KIND.eventType, id, owner: null, at: old?.at ?? tx.now.toISOString(), v: value } });
  }
  return listEventTypes(tx, service);
}

export async function listEventTypes(reads: Pick<Reads, 'items'>, service: string): Promise<EventTypeValue[]> {
  return (await reads.items(service, KIND.eventType)).map((item) => item.v as EventTypeValue);
}
