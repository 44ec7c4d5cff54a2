import { invalid } from '../errors.js';
import type { AwardRecord, UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { checkQuota } from './quota.js';
import { requireService } from './services.js';

/**
 * Awards each listed badge once more (a name listed twice is awarded twice), creating the user. An
 * unregistered badge refuses the whole request: nothing is awarded.
 */
export async function award(tx: Tx, serviceName: string, userName: string, badges: readonly string[], at: Date = tx.now): Promise<UserRecord> {
  const service = await requireService(tx, serviceName);
  const records = await tx.badges(serviceName, badges);
  const unknown = [...new Set(badges.filter((name) => !records.has(name)))];
  if (unknown.length > 0) {
    throw invalid(
      'unknown_badge',
      `Not registered in service "${serviceName}": ${unknown.join(', ')}. Register badges with PUT /v1/${serviceName}/badges.json first.`,
      unknown,
    );
  }
  const when = at.toISOString();
  const user = await tx.user(serviceName, userName);
  const awards = new Map<string, AwardRecord>((user?.awards ?? []).map((a) => [a.badge, a]));
  const times = new Map<string, number>();
  for (const badge of badges) times.set(badge, (times.get(badge) ?? 0) + 1);

  for (const [badge, n] of times) {
    const held = awards.get(badge);
    awards.set(badge, held ? { ...held, count: held.count + n, latest: later(held.latest, when) } : { badge, count: n, first: when, latest: when });
    const record = records.get(badge)!;
    tx.put({ t: 'badge', s: serviceName, v: { ...record, count: record.count + n, latest: later(record.latest, when) } });
    tx.emit({ type: 'award.created', service: serviceName, user: userName, badge, count: n, at: when });
  }
  const updated: UserRecord = { name: userName, createdAt: user?.createdAt ?? when, awards: [...awards.values()] };
  tx.put({ t: 'user', s: serviceName, v: updated });
  if (!user) await checkQuota(tx, service);
  return updated;
}

/**
 * Takes the listed badges from the user entirely. Idempotent: badges the user does not hold (any
 * more, or never: unregistered ones too) are returned, not refused, so a retried DELETE succeeds.
 */
export async function revoke(
  tx: Tx,
  serviceName: string,
  userName: string,
  badges: readonly string[],
): Promise<{ user: UserRecord | undefined; absent: string[] }> {
  await requireService(tx, serviceName);
  const user = await tx.user(serviceName, userName);
  // An unknown user holds nothing and is not created by taking nothing away.
  if (!user) return { user: undefined, absent: [...new Set(badges)] };
  const taken = new Set(badges);
  const records = await tx.badges(serviceName, [...taken]);
  const except = new Set([userName]);
  for (const held of user.awards) {
    if (!taken.has(held.badge)) continue;
    const record = records.get(held.badge)!;
    const latest = await tx.latestAward(serviceName, held.badge, except);
    tx.put({ t: 'badge', s: serviceName, v: { ...record, count: record.count - held.count, latest } });
    tx.emit({ type: 'award.revoked', service: serviceName, user: userName, badge: held.badge, count: held.count, at: tx.now.toISOString() });
  }
  const updated = { ...user, awards: user.awards.filter((a) => !taken.has(a.badge)) };
  if (updated.awards.length !== user.awards.length) tx.put({ t: 'user', s: serviceName, v: updated });
  const held = new Set(user.awards.map((a) => a.badge));
  return { user: updated, absent: [...new Set(badges.filter((b) => !held.has(b)))] };
}

/** Awards may be back-dated (imports, the demo seed), so `latest` never moves backwards. */
const later = (a: string | null, b: string) => (a !== null && a > b ? a : b);
