import type { Job } from './background.js';
import { expireInvitations, INVITATION_KIND } from '../core/access/invitations.js';
import { PREVIOUS_KEY_KIND } from '../core/access/keys.js';
import { ATTEMPT_KIND, DELIVERY_KIND, leaseDeliveries, MESSAGE_KIND, recordAttempt, webhookOutbox, type Lease } from '../core/access/webhooks.js';
import type { Domain } from '../core/domain.js';
import type { Store } from '../core/ports.js';
import type { AppConfig } from '../config/app.js';
import type { Background } from './background.js';
import { accessConfig, RETRY_DELAYS_MS } from '../config/access.js';
import { send } from '../webhooks/send.js';

export const DELIVERY_JOB = 'webhook-deliveries';
export const EXPIRY_JOB = 'access-expiry';

interface JobDeps {
  store: Store;
  domain: Domain;
  config: AppConfig;
  background: Background;
}

/**
 * Sets up this feature beside the app: the webhook outbox (a reactor: deliveries are written with
 * the change), the job that sends them, and the job that removes what expired. A unit that wrote
 * deliveries wakes the sender once it is durable: the change feed says so (on PostgreSQL, on every
 * instance; whichever leases a delivery first sends it).
 */
export function startAccess(deps: JobDeps): void {
  deps.domain.react(webhookOutbox);
  deps.background.add(deliveryJob(deps));
  deps.background.add(expiryJob(deps));
  deps.store.feed.subscribe((change) => {
    if (change.all || change.items?.includes(DELIVERY_KIND)) deps.background.wake(DELIVERY_JOB);
  });
}

/**
 * Due deliveries, leased per service in one unit, sent at once, each attempt recorded in a unit. A
 * round leases no more than it sends at once, and every send ends by its deadline, well within the
 * lease: a lease never runs out while its attempt may still go out, so no other instance makes the
 * same attempt.
 */
export function deliveryJob({ store, domain, config }: JobDeps): Job {
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

/**
 * Invitations past their expiry and previous keys past their grace, removed; so are webhook messages
 * and attempts older than the log keeps them (a delivery still due for a message removed is dropped).
 */
export function expiryJob({ store, domain, config }: JobDeps): Job {
  const settings = accessConfig(config);
  const expire = async (kind: string, remove: (service: string, ids: string[]) => Promise<unknown>, before = () => config.now()) => {
    for (let failed = false; !failed; ) {
      const due = await store.dueItems(kind, new Date(before()).toISOString(), 1000);
      const byService = new Map<string, string[]>();
      for (const { service, item } of due) byService.set(service, [...(byService.get(service) ?? []), item.id]);
      for (const [service, ids] of byService) {
        await remove(service, ids).catch((error) => {
          // Left for the next round rather than read again and again now.
          failed = true;
          config.log(`removing expired ${kind} items of ${service} failed`, error);
        });
      }
      if (due.length < 1000) return;
    }
  };
  return {
    name: EXPIRY_JOB,
    intervalMs: settings.expiryPollMs,
    async run() {
      await expire(INVITATION_KIND, (service, ids) => domain.run(service, (tx) => expireInvitations(tx, service, ids)));
      await expire(PREVIOUS_KEY_KIND, (service) =>
        domain.run(service, async (tx) => {
          const item = await tx.item(service, PREVIOUS_KEY_KIND, 'service');
          if (item && item.at <= tx.now.toISOString()) tx.put({ t: 'item-', s: service, k: PREVIOUS_KEY_KIND, id: 'service' });
        }),
      );
      const logStart = () => config.now() - settings.webhookLogRetentionMs;
      for (const kind of [MESSAGE_KIND, ATTEMPT_KIND]) {
        await expire(kind, (service, ids) => domain.run(service, async (tx) => ids.forEach((id) => tx.put({ t: 'item-', s: service, k: kind, id }))), logStart);
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
