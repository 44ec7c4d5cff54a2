import { randomBytes } from 'node:crypto';
import { notFound } from '../errors.js';
import { DOMAIN_EVENT_TYPES, eventSubject, type DomainEvent, type DomainEventType } from '../events.js';
import type { Reactor } from '../reactor.js';
import type { Item } from '../model.js';
import type { Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { DEFAULT_QUOTAS, requireWithinQuota, useHourlyQuota, type Quotas } from '../rules/quota.js';
import { newId } from './ids.js';
import type { WebhookPayloadOf } from '../../../types/webhook-schema.js';

/**
 * Webhooks as an outbox. A service's endpoints are `webhook-endpoint` items. The reactor below turns
 * each event of a unit into a `webhook-message` (the payload, as it will be sent) and one `delivery`
 * per endpoint that wants it, in the same unit as the change: a change and the deliveries it owes
 * are durable together or not at all. A delivery's `at` is when it is due; the delivery job leases
 * it (moves `at` past the lease, in a unit, so only one instance sends an attempt), sends it, and
 * records the attempt (a `delivery-attempt` item, owner the endpoint): done, or due again later.
 */
export const ENDPOINT_KIND = 'webhook-endpoint';
export const MESSAGE_KIND = 'webhook-message';
export const DELIVERY_KIND = 'delivery';
export const ATTEMPT_KIND = 'delivery-attempt';

/**
 * What an endpoint may ask for: every domain event (core/events.ts), so webhooks tell what the
 * audit trail records; or `*`. Messages and deliveries hold the person's data of their event, and
 * name them as their subject (core/subjects.ts); so does the attempt log.
 */
export const WEBHOOK_EVENTS = DOMAIN_EVENT_TYPES;

export interface Endpoint {
  id: string;
  url: string;
  /** Event types it wants; `*`: all. */
  events: string[];
  description: string;
  /** `whsec_` and base64: the Standard Webhooks form. */
  secret: string;
  disabled: boolean;
  disabledReason: string | null;
  /** Since when every attempt failed; null after a success. */
  failingSince: string | null;
  createdAt: string;
}

export interface Message {
  id: string;
  type: string;
  /** The body as sent, every attempt the same bytes. */
  payload: string;
  at: string;
}

export interface Delivery {
  id: string;
  message: string;
  endpoint: string;
  /** Attempts made so far. */
  attempt: number;
  createdAt: string;
  /** Asked for by the service (redelivery): sent even to a disabled endpoint. */
  manual?: true;
}

export interface Attempt {
  id: string;
  delivery: string;
  message: string;
  type: string;
  endpoint: string;
  attempt: number;
  outcome: 'succeeded' | 'failed';
  /** The HTTP status answered; null when no answer came (refused, timed out, a blocked address). */
  responseCode: number | null;
  latencyMs: number;
  error: string | null;
  at: string;
  /** When the next attempt is due; null when this was the last. */
  next: string | null;
}

export type EndpointInput = Pick<Endpoint, 'url' | 'events' | 'description'>;

/** A signing secret in the Standard Webhooks form. */
export const newEndpointSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export async function createEndpoint(tx: Tx, service: string, id: string, secret: string, input: EndpointInput, quotas: Quotas = DEFAULT_QUOTAS): Promise<Endpoint> {
  await requireService(tx, service);
  const endpoint: Endpoint = { id, ...input, secret, disabled: false, disabledReason: null, failingSince: null, createdAt: tx.now.toISOString() };
  tx.put({ t: 'item', s: service, v: { kind: ENDPOINT_KIND, id, owner: null, at: endpoint.createdAt, v: endpoint } });
  // Each endpoint multiplies every event into a request: one badge update must not become hundreds.
  await requireWithinQuota(tx, service, 'webhook_endpoints', ENDPOINT_KIND, quotas);
  tx.emit({ type: 'endpoint.created', service, endpoint: id, url: endpoint.url, at: endpoint.createdAt });
  return endpoint;
}

/** Changes an endpoint; enabling it again clears its failures. */
export async function updateEndpoint(tx: Tx, service: string, id: string, change: Partial<EndpointInput> & { disabled?: boolean }): Promise<Endpoint> {
  const item = await requireEndpoint(tx, service, id);
  const current = item.v as Endpoint;
  const enabling = change.disabled === false && current.disabled;
  const endpoint: Endpoint = {
    ...current,
    ...change,
    ...(enabling ? { disabledReason: null, failingSince: null } : {}),
    ...(change.disabled === true && !current.disabled ? { disabledReason: 'disabled by the service' } : {}),
  };
  tx.put({ t: 'item', s: service, v: { ...item, v: endpoint } });
  tx.emit({ type: 'endpoint.updated', service, endpoint: id, at: tx.now.toISOString() });
  return endpoint;
}

export async function deleteEndpoint(tx: Tx, service: string, id: string): Promise<void> {
  await requireEndpoint(tx, service, id);
  tx.put({ t: 'item-', s: service, k: ENDPOINT_KIND, id });
  // Its deliveries still due go with it; its log stays until the service is deleted.
  for (const delivery of await tx.items(service, DELIVERY_KIND, { owner: id })) tx.put({ t: 'item-', s: service, k: DELIVERY_KIND, id: delivery.id });
  tx.emit({ type: 'endpoint.deleted', service, endpoint: id, at: tx.now.toISOString() });
}

export async function requireEndpoint(tx: Tx, service: string, id: string): Promise<Item> {
  const item = await tx.item(service, ENDPOINT_KIND, id);
  if (!item) throw notFound('endpoint_not_found', `Service "${service}" has no webhook endpoint "${id}"`);
  return item;
}

// Every event is sent as documented for its type (types/webhook-schema.ts, /openapi.json's `webhooks`):
// a field the schema lacks, or one it names that the event never has, does not compile. (`actor` is
// the Domain's stamp on every event.)
type Sent<T extends DomainEventType> = Omit<Extract<DomainEvent, { type: T }>, 'type' | 'actor'>;
type Documented<T extends DomainEventType> = Omit<WebhookPayloadOf<T>['data'], 'actor'>;
type Undocumented = {
  [T in DomainEventType]: Sent<T> extends Documented<T> ? ([Exclude<keyof Documented<T>, keyof Sent<T>> | Exclude<keyof Sent<T>, keyof Documented<T>>] extends [never] ? never : T) : T;
}[DomainEventType];
const _sentAsDocumented: [Undocumented] extends [never] ? true : Undocumented = true;
void _sentAsDocumented;

/** The body of the message for an event, per the Standard Webhooks payload shape. */
export function payloadOf(event: DomainEvent): string {
  const { type, at, ...data } = event;
  return JSON.stringify({ type, timestamp: at, data: { ...data, at } });
}

/** The outbox: every event a wanting, enabled endpoint is owed, written with the change. */
export const webhookOutbox: Reactor = async (tx, events) => {
  const byService = new Map<string, DomainEvent[]>();
  for (const event of events) byService.set(event.service, [...(byService.get(event.service) ?? []), event]);
  for (const [service, owed] of byService) {
    // A service deleted in this unit (its endpoints go with it) owes nothing.
    if (!(await tx.service(service))) continue;
    const endpoints = (await tx.items(service, ENDPOINT_KIND)).map((item) => item.v as Endpoint).filter((e) => !e.disabled);
    if (endpoints.length === 0) continue;
    for (const event of owed) {
      const wanting = endpoints.filter((e) => e.events.includes('*') || e.events.includes(event.type));
      if (wanting.length === 0) continue;
      const subject = eventSubject(event);
      const message = putMessage(tx, service, event.type, payloadOf(event), subject);
      for (const endpoint of wanting) putDelivery(tx, service, message.id, endpoint.id, `${message.id}.${endpoint.id}`, subject);
    }
  }
};

function putMessage(tx: Tx, service: string, type: string, payload: string, subject: string | null): Message {
  const message: Message = { id: newId('msg'), type, payload, at: tx.now.toISOString() };
  tx.put({ t: 'item', s: service, v: { kind: MESSAGE_KIND, id: message.id, owner: null, subject, at: message.at, v: message } });
  return message;
}

/** A delivery is its message's: it names the message's subject, so an erasure takes it with the message. */
function putDelivery(tx: Tx, service: string, message: string, endpoint: string, id: string, subject: string | null, manual = false): Delivery {
  const delivery: Delivery = { id, message, endpoint, attempt: 0, createdAt: tx.now.toISOString(), ...(manual ? { manual: true as const } : {}) };
  tx.put({ t: 'item', s: service, v: { kind: DELIVERY_KIND, id, owner: endpoint, subject, at: delivery.createdAt, v: delivery } });
  return delivery;
}

/**
 * Sends a message to an endpoint again, as a new delivery due now (a disabled endpoint too: the
 * service asked), within the service's hourly quota of redeliveries.
 */
export async function redeliver(tx: Tx, service: string, endpointId: string, messageId: string, quotas: Quotas = DEFAULT_QUOTAS): Promise<Delivery> {
  await requireEndpoint(tx, service, endpointId);
  const message = await tx.item(service, MESSAGE_KIND, messageId);
  if (!message) throw notFound('message_not_found', `Service "${service}" has no webhook message "${messageId}"`);
  await useHourlyQuota(tx, service, 'redeliveries', quotas);
  return putDelivery(tx, service, messageId, endpointId, `${messageId}.${endpointId}.${newId('r')}`, message.subject ?? null, true);
}

/** A delivery leased for one attempt: what the sender needs. */
export interface Lease {
  service: string;
  delivery: string;
  attempt: number;
  message: Message;
  /** The message's data subject, which its attempts name too. */
  subject: string | null;
  endpoint: Endpoint;
}

/**
 * Takes the listed deliveries that are still due, each for one attempt: re-read in the unit (another
 * instance may have leased one since it was listed), `at` moved past the lease, attempt counted.
 * A lease that runs out (the instance died mid-send) makes the delivery due again.
 */
export async function leaseDeliveries(tx: Tx, service: string, ids: readonly string[], leaseMs: number): Promise<Lease[]> {
  const now = tx.now.toISOString();
  const until = new Date(tx.now.getTime() + leaseMs).toISOString();
  const leases: Lease[] = [];
  for (const id of ids) {
    const item = await tx.item(service, DELIVERY_KIND, id);
    // Due when its time has come, this very millisecond included.
    if (!item || item.at > now) continue;
    const delivery = item.v as Delivery;
    const endpoint = (await tx.item(service, ENDPOINT_KIND, delivery.endpoint))?.v as Endpoint | undefined;
    const messageItem = await tx.item(service, MESSAGE_KIND, delivery.message);
    const message = messageItem?.v as Message | undefined;
    if (!endpoint || !message || (endpoint.disabled && !delivery.manual)) {
      tx.put({ t: 'item-', s: service, k: DELIVERY_KIND, id });
      continue;
    }
    const attempt = delivery.attempt + 1;
    tx.put({ t: 'item', s: service, v: { ...item, at: until, v: { ...delivery, attempt } } });
    leases.push({ service, delivery: id, attempt, message, subject: messageItem!.subject ?? null, endpoint });
  }
  return leases;
}

export interface Outcome {
  ok: boolean;
  responseCode: number | null;
  latencyMs: number;
  error: string | null;
  /** From the answer's Retry-After, in ms. */
  retryAfterMs: number | null;
}

export interface RetryPolicy {
  /** The wait after each failed attempt, in order; after the last, the delivery fails for good. */
  delaysMs: readonly number[];
  /** An endpoint failing for this long is disabled. */
  disableAfterMs: number;
}

/**
 * Records an attempt in the endpoint's log and settles the delivery: done on success; otherwise due
 * again after the schedule's wait (or Retry-After's, if longer), or over after the last attempt. A
 * 410 disables the endpoint at once (Standard Webhooks), and so does failing for `disableAfterMs`.
 */
export async function recordAttempt(tx: Tx, lease: Lease, outcome: Outcome, policy: RetryPolicy): Promise<Attempt> {
  const { service } = lease;
  const now = tx.now.toISOString();
  const item = await tx.item(service, DELIVERY_KIND, lease.delivery);
  // Still ours: no other instance took it after our lease ran out.
  const current = item !== undefined && (item.v as Delivery).attempt === lease.attempt;
  const endpointItem = await tx.item(service, ENDPOINT_KIND, lease.endpoint.id);
  let endpoint = endpointItem?.v as Endpoint | undefined;
  if (endpointItem && endpoint) {
    let next = endpoint;
    if (outcome.ok) next = { ...endpoint, failingSince: null };
    else {
      const failingSince = endpoint.failingSince ?? now;
      next = { ...endpoint, failingSince };
      if (!endpoint.disabled && outcome.responseCode === 410) next = { ...next, disabled: true, disabledReason: 'the endpoint answered 410 Gone' };
      else if (!endpoint.disabled && tx.now.getTime() - Date.parse(failingSince) >= policy.disableAfterMs) {
        next = { ...next, disabled: true, disabledReason: `every attempt failed since ${failingSince}` };
      }
    }
    if (JSON.stringify(next) !== JSON.stringify(endpoint)) tx.put({ t: 'item', s: service, v: { ...endpointItem, v: next } });
    endpoint = next;
  }
  let nextAt: string | null = null;
  if (current) {
    const wait = policy.delaysMs[lease.attempt - 1];
    const retry = !outcome.ok && wait !== undefined && endpoint !== undefined && !endpoint.disabled;
    if (retry) {
      nextAt = new Date(tx.now.getTime() + Math.max(wait, outcome.retryAfterMs ?? 0)).toISOString();
      tx.put({ t: 'item', s: service, v: { ...item!, at: nextAt } });
    } else tx.put({ t: 'item-', s: service, k: DELIVERY_KIND, id: lease.delivery });
  }
  const attempt: Attempt = {
    id: `${lease.delivery}.${lease.attempt}`,
    delivery: lease.delivery,
    message: lease.message.id,
    type: lease.message.type,
    endpoint: lease.endpoint.id,
    attempt: lease.attempt,
    outcome: outcome.ok ? 'succeeded' : 'failed',
    responseCode: outcome.responseCode,
    latencyMs: outcome.latencyMs,
    error: outcome.error,
    at: now,
    next: nextAt,
  };
  // A message erased while it was on its way (its person's data) leaves no attempt naming them.
  if (current || (await tx.item(service, MESSAGE_KIND, lease.message.id))) {
    tx.put({ t: 'item', s: service, v: { kind: ATTEMPT_KIND, id: attempt.id, owner: attempt.endpoint, subject: lease.subject, at: now, v: attempt } });
  }
  return attempt;
}
