import { ATTEMPT_KIND, DELIVERY_KIND, leaseDeliveries, MESSAGE_KIND, recordAttempt, type Lease } from '../core/access/webhooks.js';
import { accessConfig, RETRY_DELAYS_MS } from '../config/access.js';
import { send } from '../webhooks/send.js';
import type { Job } from './background.js';
import type { JobDeps } from './deps.js';
import { expireItems } from './expiry.js';

export const DELIVERY_JOB = 'webhook-deliveries';
export const WEBHOOK_LOG_JOB = 'webhook-log-expiry';

/**
 * Due deliveries, leased per service in one unit, each sent as soon as a slot is free and recorded
 * in a unit. Slots are shared fairly: at most `webhookConcurrency` attempts in flight in all, at
 * most `webhookServiceConcurrency` of one service and `webhookEndpointConcurrency` of one endpoint,
 * and the deliveries of a service or endpoint at its limit are passed over when looking for due
 * ones, so its backlog hides nobody else's. A round never waits for its attempts: each attempt that
 * ends frees its slot and wakes the job, so one hanging receiver holds one slot for one deadline,
 * not a round of everybody's deliveries.
 *
 * A lease is taken right before its attempt, and every send ends by its deadline, at most half the
 * lease: a lease never runs out while its attempt may still go out, so no other instance makes the
 * same attempt.
 */
export function deliveryJob({ store, domain: anyone, config, background }: JobDeps): Job {
  const domain = anyone.as({ type: 'system', job: DELIVERY_JOB });
  const settings = accessConfig(config);
  // Half the lease at most: the attempt is over (sent or given up) long before another instance may take it.
  const deadlineMs = Math.min(settings.webhookTimeoutMs, Math.floor(settings.webhookLeaseMs / 2));
  const policy = { delaysMs: RETRY_DELAYS_MS.map((ms) => ms * settings.webhookRetryScale), disableAfterMs: settings.webhookDisableAfterMs };
  const inFlight = new Set<Promise<void>>();
  const byService = new Counts();
  const byEndpoint = new Counts();
  const endpointKey = (service: string, endpoint: string) => `${service}\n${endpoint}`;

  const attempt = async (lease: Lease) => {
    const outcome = await send(lease.endpoint, lease.message, { timeoutMs: deadlineMs, allowPrivate: settings.webhookAllowPrivate, now: config.now() });
    // Not recorded (the store refused): the lease runs out and the delivery is made again.
    await domain.run(lease.service, (tx) => recordAttempt(tx, lease, outcome, policy)).catch((error) => config.log('recording a webhook attempt failed', error));
  };
  const launch = (lease: Lease) => {
    const endpoint = endpointKey(lease.service, lease.endpoint.id);
    byService.add(lease.service, 1);
    byEndpoint.add(endpoint, 1);
    const running: Promise<void> = attempt(lease).finally(() => {
      byService.add(lease.service, -1);
      byEndpoint.add(endpoint, -1);
      inFlight.delete(running);
      background.wake(DELIVERY_JOB);
    });
    inFlight.add(running);
  };

  return {
    name: DELIVERY_JOB,
    intervalMs: settings.webhookPollMs,
    // A unit that wrote deliveries wakes the sender once it is durable, on every instance the
    // change feed reaches; whichever leases a delivery first sends it.
    wakeOn: [DELIVERY_KIND],
    outstanding: () => (inFlight.size > 0 ? Promise.all(inFlight).then(() => {}) : undefined),
    async run() {
      for (;;) {
        const free = settings.webhookConcurrency - inFlight.size;
        if (free <= 0) return;
        const except = {
          services: byService.atLeast(settings.webhookServiceConcurrency),
          owners: byEndpoint.atLeast(settings.webhookEndpointConcurrency).map((key) => {
            const [service = '', owner = ''] = key.split('\n');
            return { service, owner };
          }),
        };
        // Due at this very millisecond counts: a delivery written in the millisecond its wake-up
        // arrives would otherwise wait for the next poll.
        const due = await store.dueItems(DELIVERY_KIND, new Date(config.now() + 1).toISOString(), free, except);
        // Within the limits, counting what this round takes.
        const picked = new Map<string, string[]>();
        const services = new Counts();
        const endpoints = new Counts();
        for (const { service, item } of due) {
          const endpoint = endpointKey(service, item.owner ?? '');
          if (byService.of(service) + services.of(service) >= settings.webhookServiceConcurrency) continue;
          if (byEndpoint.of(endpoint) + endpoints.of(endpoint) >= settings.webhookEndpointConcurrency) continue;
          services.add(service, 1);
          endpoints.add(endpoint, 1);
          picked.set(service, [...(picked.get(service) ?? []), item.id]);
        }
        const leased = await Promise.all(
          [...picked].map(([service, ids]) =>
            domain.run(service, (tx) => leaseDeliveries(tx, service, ids, settings.webhookLeaseMs)).catch((error) => {
              config.log(`leasing webhook deliveries of ${service} failed`, error);
              return [] as Lease[];
            }),
          ),
        );
        const leases = leased.flat();
        for (const lease of leases) launch(lease);
        // Nothing due, or nothing leased (another instance took them, the store refused): the next
        // round is the timer's or an attempt's end, not a busy loop.
        if (leases.length === 0 || due.length < free) return;
      }
    },
  };
}

/** How many of something each key has; keys at zero are dropped. */
class Counts {
  private readonly counts = new Map<string, number>();

  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  add(key: string, delta: number): void {
    const count = this.of(key) + delta;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
  }

  atLeast(limit: number): string[] {
    return [...this.counts].filter(([, count]) => count >= limit).map(([key]) => key);
  }
}

/** Webhook messages and attempts older than the log keeps them, removed (a delivery still due for a message removed is dropped). */
export function webhookLogJob({ store, domain: anyone, config }: JobDeps): Job {
  const settings = accessConfig(config);
  const domain = anyone.as({ type: 'system', job: WEBHOOK_LOG_JOB });
  return {
    name: WEBHOOK_LOG_JOB,
    intervalMs: settings.expiryPollMs,
    async run() {
      const logStart = () => config.now() - settings.webhookLogRetentionMs;
      for (const kind of [MESSAGE_KIND, ATTEMPT_KIND]) {
        await expireItems({ store, config }, kind, (service, ids) => domain.run(service, async (tx) => ids.forEach((id) => tx.put({ t: 'item-', s: service, k: kind, id }))), logStart);
      }
    },
  };
}
