import type { JsonValue } from '../../../types/api.js';
import { KIND, typeOf, type StoredEvent } from '../events/kinds.js';
import type { Item, UserRecord } from '../model.js';
import type { Reads } from '../ports.js';
import { MESSAGE_KIND } from '../access/webhooks.js';
import { personsRecords } from './records.js';

/** What a service holds of a person, in one document (GDPR article 15). */
export interface PersonalData {
  service: string;
  user: string;
  exportedAt: string;
  /** Their awards and progress; null when they hold none but the service keeps other records of them. */
  account: UserRecord | null;
  emails: string[];
  /** Every other record, by kind: events, activity, rule states, invitations, webhook messages, audit entries... */
  records: Record<string, { id: string; at: string; value: JsonValue }[]>;
}

export async function exportUser(tx: Reads, service: string, name: string, now: Date): Promise<PersonalData> {
  const { user, addresses, items } = await personsRecords(tx, service, name);
  const records: PersonalData['records'] = {};
  for (const item of items) (records[item.kind] ??= []).push({ id: item.id, at: item.at, value: readable(item) });
  return { service, user: name, exportedAt: now.toISOString(), account: user ?? null, emails: addresses.sort(), records };
}

/** A record's value as people read it: events in the shape they were sent, webhook payloads parsed. */
function readable(item: Item): JsonValue {
  if (item.kind === KIND.event) {
    const v = item.v as StoredEvent;
    return { user: item.owner, eventType: typeOf(v.t), ...(v.p ? { preview: v.p } : {}), ...(v.l ? { permalink: v.l } : {}), ...(v.d ? { data: v.d } : {}) } as unknown as JsonValue;
  }
  if (item.kind === MESSAGE_KIND) {
    const { payload, ...rest } = item.v as { payload: string };
    return { ...rest, payload: JSON.parse(payload) } as JsonValue;
  }
  return item.v as JsonValue;
}
