import { DomainError } from '../errors.js';
import { QUOTA_NAMES, type QuotaName } from '../../../types/api.js';
import type { ServiceRecord } from '../model.js';
import type { Reads, Tx } from '../ports.js';
import { requireService } from './services.js';

/**
 * The open test service's quota (users, badges): checked after a unit made its changes, against the
 * result: one request that adds many badges cannot step over the quota, and two requests at once
 * cannot both pass a check made before either wrote (units of a service never interleave).
 */
export async function checkQuota(tx: Reads, service: ServiceRecord): Promise<void> {
  const quota = service.settings?.quota;
  if (!quota) return;
  const [users, badges] = await Promise.all([tx.userCount(service.name), tx.badgeCount(service.name)]);
  const over = [
    users > quota.users ? `${quota.users} users; this request would make ${users}` : null,
    badges > quota.badges ? `${quota.badges} badges; this request would make ${badges}` : null,
  ].filter((part) => part !== null);
  if (over.length > 0) throw new DomainError('forbidden', 'quota_exceeded', `it may hold at most ${over.join(', and at most ')}`);
}

/**
 * What one service may hold (or do in an hour), so that one tenant cannot fill a server many share.
 * The operator sets the defaults (`QUOTA_*`, declared in server/config/settings.ts); a service may have its own
 * (`PATCH /admin/services/{name}/quotas`). Every check is made inside the unit of work that would
 * step over the quota, against the unit's result: units of a service never interleave, so two
 * requests at once cannot both pass a check made before either wrote.
 */
export { QUOTA_NAMES, type QuotaName };
export type Quotas = Record<QuotaName, number>;

export const DEFAULT_QUOTAS: Quotas = {
  webhook_endpoints: 20,
  redeliveries: 100,
  events: 2_000_000,
  rejected_events: 10_000,
  invitations: 100_000,
  claim_codes: 100_000,
};

/** What each quota counts, for messages and the documentation. */
export const QUOTA_TEXT: Record<QuotaName, string> = {
  webhook_endpoints: 'webhook endpoints',
  redeliveries: 'redeliveries an hour',
  events: 'stored events',
  rejected_events: 'kept refusals of events (beyond it the oldest give way)',
  invitations: 'pending invitations',
  claim_codes: 'claim codes',
};

/** The usage counter of a quota by time (redeliveries): one item per service and quota. */
export const QUOTA_USAGE_KIND = 'quota-usage';
const HOUR = 3_600_000;

/** The service's quota: its own, else the operator's default. */
export function quotaOf(service: ServiceRecord, name: QuotaName, defaults: Quotas): number {
  return service.settings?.quotas?.[name] ?? defaults[name];
}

/** Every quota of the service, as it applies now. */
export const quotasOf = (service: ServiceRecord, defaults: Quotas): Quotas =>
  Object.fromEntries(QUOTA_NAMES.map((name) => [name, quotaOf(service, name, defaults)])) as Quotas;

/**
 * Refuses the unit when the service holds more items of `kind` than its quota allows, counted over
 * the unit's own changes: call it after the unit made them.
 */
export async function requireWithinQuota(tx: Tx, service: string, name: QuotaName, kind: string, defaults: Quotas): Promise<void> {
  const record = await requireService(tx, service);
  const limit = quotaOf(record, name, defaults);
  const count = await tx.itemCount(service, kind);
  if (count > limit) throw quotaExceeded(service, name, limit, `this request would make ${count.toLocaleString('en')}`);
}

/** Counts one use of an hourly quota, or refuses it (429) with when the hour makes room again. */
export async function useHourlyQuota(tx: Tx, service: string, name: QuotaName, defaults: Quotas): Promise<void> {
  const limit = quotaOf(await requireService(tx, service), name, defaults);
  const now = tx.now.getTime();
  const item = await tx.item(service, QUOTA_USAGE_KIND, name);
  const kept = item?.v as { since: string; count: number } | undefined;
  const usage = kept && now - Date.parse(kept.since) < HOUR ? kept : { since: tx.now.toISOString(), count: 0 };
  if (usage.count + 1 > limit) {
    const retryAfter = Math.max(1, Math.ceil((Date.parse(usage.since) + HOUR - now) / 1000));
    throw quotaExceeded(service, name, limit, `the hour since ${usage.since} used them; retry in ${retryAfter} s`, retryAfter);
  }
  const v = { since: usage.since, count: usage.count + 1 };
  tx.put({ t: 'item', s: service, v: { kind: QUOTA_USAGE_KIND, id: name, owner: null, at: v.since, v } });
}

/** How many of an hourly quota the service used this hour. */
export function hourlyUsage(item: { v: unknown } | undefined, now: number): number {
  const kept = item?.v as { since: string; count: number } | undefined;
  return kept && now - Date.parse(kept.since) < HOUR ? kept.count : 0;
}

/** Sets the service's own quotas; null returns one to the operator's default. */
export async function setQuotas(tx: Tx, service: string, changes: Partial<Record<QuotaName, number | null>>): Promise<ServiceRecord> {
  const current = await requireService(tx, service);
  const quotas = { ...current.settings?.quotas };
  for (const [name, value] of Object.entries(changes) as [QuotaName, number | null][]) {
    if (value === null) delete quotas[name];
    else quotas[name] = value;
  }
  const { quotas: _old, ...settings } = current.settings ?? {};
  const record: ServiceRecord = { ...current, settings: Object.keys(quotas).length > 0 ? { ...settings, quotas } : settings };
  tx.put({ t: 'service', v: record });
  return record;
}

/**
 * The refusal: 403 for what the service holds (it must remove some first), 429 with a time to
 * retry for what it does in an hour. The code names the quota; the message says the limit and how
 * to raise it.
 */
export function quotaExceeded(service: string, name: QuotaName, limit: number, detail: string, retryAfterSeconds?: number): DomainError {
  const what = QUOTA_TEXT[name].replace(/ \(.*\)$/, '');
  return new DomainError(
    retryAfterSeconds === undefined ? 'forbidden' : 'too_many',
    `quota_${name}`,
    `Service "${service}" may have at most ${limit.toLocaleString('en')} ${what} (${detail}). ${retryAfterSeconds === undefined ? 'Remove some, or ask' : 'Wait, or ask'} the operator to raise the quota: PATCH /admin/services/${service}/quotas {"${name}": N}, or QUOTA_${name.toUpperCase()} for every service.`,
    { quota: name, limit, ...(retryAfterSeconds === undefined ? {} : { retryAfter: retryAfterSeconds }) },
  );
}
