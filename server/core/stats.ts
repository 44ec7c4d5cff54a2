import { ATTEMPT_KIND, type Attempt } from './access/webhooks.js';
import { KIND, type ActivityValue } from './events/kinds.js';
import type { Item } from './model.js';
import type { Queries } from './ports.js';

/**
 * The figures the admin console plots, counted from what the service keeps: awards and
 * revocations per day (its activity entries), active users per day (whoever was awarded a badge or
 * sent an event), how many badges users hold, and the webhook delivery log. Nothing is kept for
 * them: an admin reads them now and then, and a count of the last days reads only those days.
 */

const DAY_MS = 86_400_000;
/** Records read per page, and the most read of each kind by one count (the newest are kept). */
const PAGE = 1000;
export const STATS_SCAN_LIMIT = 200_000;

export interface ServiceStats {
  days: string[];
  awards: { total: number[]; byBadge: Record<string, number[]>; revocations: number[] };
  activeUsers: number[];
  badgesPerUser: { badges: number; users: number }[];
  users: number;
  webhooks: { attempts: number[]; failures: number[]; latencyP50: (number | null)[]; latencyP95: (number | null)[] };
  partial: boolean;
}

export async function serviceStats(store: Queries, service: string, now: number, dayCount: number, limit = STATS_SCAN_LIMIT): Promise<ServiceStats> {
  const first = Math.floor(now / DAY_MS) * DAY_MS - (dayCount - 1) * DAY_MS;
  const days = Array.from({ length: dayCount }, (_, i) => new Date(first + i * DAY_MS).toISOString().slice(0, 10));
  const from = new Date(first).toISOString();
  const dayOf = (at: string) => Math.floor((Date.parse(at) - first) / DAY_MS);
  const zeros = () => new Array<number>(dayCount).fill(0);
  let partial = false;

  /** Every item of the kind from the first day on, newest first, up to the limit. */
  async function each(kind: string, visit: (item: Item, day: number) => void): Promise<void> {
    let read = 0;
    for (let after: { at: string; id: string } | undefined; ; ) {
      const page = await store.listItems(service, kind, { from, order: 'desc', limit: PAGE, ...(after ? { after } : {}) });
      for (const item of page) {
        const day = dayOf(item.at);
        if (day >= 0 && day < dayCount) visit(item, day);
      }
      read += page.length;
      if (page.length < PAGE) return;
      if (read >= limit) {
        partial = true;
        return;
      }
      after = { at: page.at(-1)!.at, id: page.at(-1)!.id };
    }
  }

  const awards = { total: zeros(), byBadge: {} as Record<string, number[]>, revocations: zeros() };
  const active = Array.from({ length: dayCount }, () => new Set<string>());
  await each(KIND.activity, (item, day) => {
    const value = item.v as ActivityValue;
    if (item.owner !== null) active[day]!.add(item.owner);
    if (value.type === 'revocation') {
      awards.revocations[day]!++;
      return;
    }
    awards.total[day]!++;
    (awards.byBadge[value.badge] ??= zeros())[day]!++;
  });
  await each(KIND.event, (item, day) => {
    if (item.owner !== null) active[day]!.add(item.owner);
  });

  const latencies = Array.from({ length: dayCount }, () => [] as number[]);
  const webhooks = { attempts: zeros(), failures: zeros() };
  await each(ATTEMPT_KIND, (item, day) => {
    const attempt = item.v as Attempt;
    webhooks.attempts[day]!++;
    if (attempt.outcome === 'failed') webhooks.failures[day]!++;
    latencies[day]!.push(attempt.latencyMs);
  });

  const held = new Map<number, number>();
  let users = 0;
  for (let after: string | null = null; ; ) {
    const page = await store.usersAfter(service, after, PAGE);
    for (const user of page) {
      const badges = user.awards.filter((award) => award.count > 0).length;
      held.set(badges, (held.get(badges) ?? 0) + 1);
    }
    users += page.length;
    if (page.length < PAGE) break;
    if (users >= limit) {
      partial = true;
      users = (await store.listUsers(service, { offset: 0, limit: 0 })).total;
      break;
    }
    after = page.at(-1)!.name;
  }

  return {
    days,
    awards,
    activeUsers: active.map((set) => set.size),
    badgesPerUser: [...held].sort(([a], [b]) => a - b).map(([badges, count]) => ({ badges, users: count })),
    users,
    webhooks: { ...webhooks, latencyP50: latencies.map((l) => percentile(l, 0.5)), latencyP95: latencies.map((l) => percentile(l, 0.95)) },
    partial,
  };
}

/** The nearest-rank percentile; null for no values. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
