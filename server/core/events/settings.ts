import type { Reads, Tx } from '../ports.js';
import { KIND, type EventSettings } from './kinds.js';
import type { Rule } from './rule-model.js';
import { windowOf } from './evaluate.js';

export const DEFAULT_SETTINGS: EventSettings = { retentionDays: 90, publicEvents: false };
const DAY = 86_400_000;

export async function eventSettings(tx: Pick<Reads, 'item'>, service: string, defaults: EventSettings = DEFAULT_SETTINGS): Promise<EventSettings> {
  const item = await tx.item(service, KIND.settings, 'settings');
  return { ...defaults, ...(item?.v as Partial<EventSettings> | undefined) };
}

export async function setEventSettings(tx: Tx, service: string, changes: Partial<EventSettings>, defaults: EventSettings = DEFAULT_SETTINGS): Promise<EventSettings> {
  const settings = { ...(await eventSettings(tx, service, defaults)), ...changes };
  tx.put({ t: 'item', s: service, v: { kind: KIND.settings, id: 'settings', owner: null, at: tx.now.toISOString(), v: settings } });
  tx.emit({ type: 'event_settings.updated', service, retentionDays: settings.retentionDays, publicEvents: settings.publicEvents, at: tx.now.toISOString() });
  return settings;
}

/** How long events are kept: the setting, or the longest window of a rule if that is longer. */
export function retentionMs(settings: EventSettings, rules: readonly Rule[]): number {
  return Math.max(settings.retentionDays * DAY, ...rules.map((rule) => windowOf(rule) ?? 0));
}
