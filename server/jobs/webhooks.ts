import { ATTEMPT_KIND, DELIVERY_KIND, leaseDeliveries, MESSAGE_KIND, recordAttempt, type Lease } from '../core/access/webhooks.js';
import { accessConfig, RETRY_DELAYS_MS } from '../config/access.js';
import { send } from '../webhooks/send.js';
import type { Job } from './background.js';
import type { JobDeps } from './deps.js';
import { expireItems } from './expiry.js';

export const DELIVERY_JOB = 'webhook-deliveries';
export const WEBHOOK_LOG_JOB = 'webhook-log-expiry';

/**
 * Due deliveries, leased per service in one unit, sent at once, each attempt recorded in a unit. A
 * round leases no more than it sends at once, and every send ends by its deadline, well within the
 * lease: a lease never runs out while its attempt may still go out, so no other instance makes the
 * same attempt.
 */
export function deliveryJob({ store, domain: anyone, config }: JobDeps): Job {
  const domain = anyone.as({ type: 'system', job: DELIVERY_JOB });
  const settings = accessConfig(config);
  // Half the lease at most: the attempt is over (sent or given up) long before another instance may take it.
  const deadlineMs = Math.min(settings.webhookTimeoutMs, Math.floor(settings.webhookLeaseMs / 2));
  const policy = { delaysMs: RETRY_DELAYS_MS.map((ms) => ms * settings.webhookRetryScale), disableAfterMs: settings.webhookDisableAfterMs };
  const attempt = async (lease: Lease) => {
    const outcome = await send(lease.endpoint, lease.message, { timeoutMs: deadlineMs, allowPrivate: settings.webhookAllowPrivate, now: config.now() });
    // Not recorded (the store refused): the lease runs out and the delivery is made again.
    await domain.run(lease.service, (tx) => recordAttempt(tx, lease, outcome, policy)).catch((error) => config.log('recording a webhook attempt failed', error));
  };
  return {
    name: DELIVERY_JOB,
    intervalMs: settings.webhookPollMs,
    // A unit that wrote deliveries wakes the sender once it is durable, on every instance the
    // change feed reaches; whichever leases a delivery first sends it.
    wakeOn: [DELIVERY_KIND],
    async run() {
      for (;;) {
        const due = await store.dueItems(DELIVERY_KIND, new Date(config.now()).toISOString(), settings.webhookConcurrency);
        if (due.length === 0) return;
        const byService = new Map<string, string[]>();
        for (const { service, item } of due) byService.set(service, [...(byService.get(service) ?? []), item.id]);
        const leased = await Promise.all(
          [...byService].map(([service, ids]) =>
            domain.run(service, (tx) => leaseDeliveries(tx, service, ids, settings.webhookLeaseMs)).catch((error) => {
              config.log(`leasing webhook deliveries of ${service} failed`, error);
              return [] as Lease[];
            }),
          ),
        );
        const leases = leased.flat();
        await inParallel(leases, settings.webhookConcurrency, attempt);
        // Nothing leased (the store refused): the next round is the timer's, not a busy loop.
        if (leases.length === 0 || due.length < settings.webhookConcurrency) return;
      }
    },
  };
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

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
