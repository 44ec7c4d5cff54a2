import type { SKIP_REASONS } from '../../../types/schema.js';
import { invalid, notFound } from '../errors.js';
import type { Cause } from '../events.js';
import type { AwardRecord, BadgeRecord, UserRecord } from '../model.js';
import { periodStart } from '../periods.js';
import type { Tx } from '../ports.js';
import { eligible, segmented, termsOf, within, type Terms } from '../terms.js';
import { segmentsOf } from '../segments.js';
import { pointsOf, tallied } from '../standings.js';
import { AWARD_KIND, liveInstances, markRevoked, putInstances, settleInstances, isLive, type AwardedFor, type AwardInstance } from './instances.js';
import { checkQuota } from './quota.js';
import { requireService } from './services.js';

/** Why an award was not made: the badge's terms (see terms.ts) forbid it at that time. */
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface Skipped {
  badge: string;
  reason: SkipReason;
}

export interface Awarded {
  /** The user after the awards; not stored when it is new and nothing was awarded. */
  user: UserRecord;
  /** One entry per award not made, in the order asked. */
  skipped: Skipped[];
  /** The award instances made (core/rules/instances.ts), in the order asked. */
  awards: { id: string; badge: string }[];
}

/** The named badges; one that is not registered refuses the whole request. */
export async function requireBadges(tx: Tx, serviceName: string, names: readonly string[]): Promise<Map<string, BadgeRecord>> {
  const records = await tx.badges(serviceName, names);
  const unknown = [...new Set(names.filter((name) => !records.has(name)))];
  if (unknown.length > 0) {
    throw invalid(
      'unknown_badge',
      `Not registered in service "${serviceName}": ${unknown.join(', ')}. Register badges with PUT /v1/${serviceName}/badges.json first.`,
      unknown,
    );
  }
  return records;
}

/**
 * Awards each listed badge once more (a name listed twice is awarded twice), creating the user, as
 * far as each badge's terms allow at `at`: what they forbid is skipped and said why. Every path
 * that awards comes through here (the v1 PUT, progress reaching a goal, rules, bulk awards, claim
 * codes, applications), so a cap holds whichever way badges are given, and every award is an
 * instance, written here with what it was awarded for. An unregistered badge refuses the whole request.
 */
export async function awardChecked(tx: Tx, serviceName: string, userName: string, badges: readonly string[], at: Date = tx.now, awardedFor: AwardedFor = {}): Promise<Awarded> {
  const service = await requireService(tx, serviceName);
  const records = await requireBadges(tx, serviceName, badges);
  const when = at.toISOString();
  const user = await tx.user(serviceName, userName);
  const awards = new Map<string, AwardRecord>((user?.awards ?? []).map((a) => [a.badge, a]));
  const given = new Map<string, number>();
  const skipped: Skipped[] = [];
  // Read only when a badge asked for is for some segments of members.
  let segments: number[] | undefined;

  for (const badge of badges) {
    const terms = termsOf(records.get(badge)!.fields);
    const held = awards.get(badge);
    if (segmented(terms)) segments ??= await segmentsOf(tx, serviceName, userName);
    const reason = refusal(terms, held, at) ?? (segmented(terms) && !eligible(terms, segments!) ? 'not_eligible' : undefined);
    if (reason) {
      skipped.push({ badge, reason });
      continue;
    }
    awards.set(badge, tallied(awardOnce(terms, held, badge, at), held, pointsOf(records.get(badge)!.fields), at));
    given.set(badge, (given.get(badge) ?? 0) + 1);
  }
  const updated: UserRecord = { ...(user ?? { name: userName, createdAt: when }), awards: [...awards.values()] };
  if (given.size === 0) return { user: updated, skipped, awards: [] };

  const made = new Map<string, string[]>();
  for (const [badge, n] of given) {
    const record = records.get(badge)!;
    const ids = putInstances(tx, serviceName, userName, badge, when, n, awardedFor);
    made.set(badge, ids);
    tx.put({ t: 'badge', s: serviceName, v: { ...record, count: record.count + n, latest: later(record.latest, when) } });
    tx.emit({ type: 'award.created', service: serviceName, user: userName, badge, count: n, awards: ids, at: when, ...(awardedFor.cause ? { cause: awardedFor.cause } : {}) });
  }
  tx.put({ t: 'user', s: serviceName, v: updated });
  if (!user) await checkQuota(tx, service);
  const taken = new Map<string, number>();
  const instances = badges.flatMap((badge) => {
    const ids = made.get(badge) ?? [];
    const next = taken.get(badge) ?? 0;
    if (next >= ids.length) return [];
    taken.set(badge, next + 1);
    return [{ id: ids[next]!, badge }];
  });
  return { user: updated, skipped, awards: instances };
}

/** What forbids one more award of a badge held as `held` (or not at all) at `at`, if anything. */
function refusal(terms: Terms, held: AwardRecord | undefined, at: Date): SkipReason | undefined {
  const ms = at.getTime();
  if (!terms.enabled) return 'disabled';
  if (!within({ start: terms.earn.start }, ms)) return 'not_started';
  if (!within({ end: terms.earn.end }, ms)) return 'ended';
  if (terms.unique && held) return 'unique';
  const { cap, period, max } = terms.frequency;
  if (max !== undefined && held && held.count >= max) return 'max_reached';
  if (cap !== undefined && period && held?.period) {
    const start = periodStart(at, period);
    if (held.period.start === start && held.period.count >= cap) return 'frequency_cap';
    // An award dated into a period before the one counted: that period's count is not kept, so the
    // cap cannot be shown to hold there, and the award is refused rather than risk exceeding it.
    if (held.period.start > start) return 'frequency_cap';
  }
  return undefined;
}

function awardOnce(terms: Terms, held: AwardRecord | undefined, badge: string, at: Date): AwardRecord {
  const when = at.toISOString();
  const { period: _, points: _points, recent: _recent, ...base } = held ?? { badge, count: 0, first: when, latest: when };
  const next: AwardRecord = { ...base, count: base.count + 1, latest: later(base.latest, when) };
  const { cap, period } = terms.frequency;
  if (cap === undefined || !period) return next;
  const start = periodStart(at, period);
  const current = held?.period;
  // A back-dated award in a period before the one counted: that period's count is not kept, and the
  // current one's must not be lost.
  if (current && current.start > start) return { ...next, period: current };
  return { ...next, period: { start, count: current?.start === start ? current.count + 1 : 1 } };
}

/** Why a revocation was made: the cause (a rule), and the reason the site gave. */
export interface RevokedFor {
  cause?: Cause;
  reason?: string;
}

/**
 * Takes the listed badges from the user entirely, every instance of them marked revoked.
 * Idempotent: badges the user does not hold (any more, or never: unregistered ones too) are
 * returned, not refused, so a retried DELETE succeeds.
 */
export async function revoke(
  tx: Tx,
  serviceName: string,
  userName: string,
  badges: readonly string[],
  revokedFor: RevokedFor = {},
): Promise<{ user: UserRecord | undefined; absent: string[] }> {
  await requireService(tx, serviceName);
  const user = await tx.user(serviceName, userName);
  // An unknown user holds nothing and is not created by taking nothing away.
  if (!user) return { user: undefined, absent: [...new Set(badges)] };
  const taken = new Set(badges);
  const records = await tx.badges(serviceName, [...taken]);
  const except = new Set([userName]);
  // Awards made before instances existed get theirs first: `awards` then names every award revoked, as
  // many as `count`, as award.created's does.
  if (user.awards.some((award) => taken.has(award.badge))) await settleInstances(tx, serviceName, userName);
  const live = await liveInstances(tx, serviceName, userName, taken);
  for (const held of user.awards) {
    if (!taken.has(held.badge)) continue;
    const record = records.get(held.badge)!;
    const latest = await tx.latestAward(serviceName, held.badge, except);
    tx.put({ t: 'badge', s: serviceName, v: { ...record, count: record.count - held.count, latest } });
    const instances = live.get(held.badge) ?? [];
    markRevoked(tx, serviceName, instances, revokedFor.reason ?? null);
    tx.emit({
      type: 'award.revoked',
      service: serviceName,
      user: userName,
      badge: held.badge,
      count: held.count,
      awards: instances.map((item) => item.id),
      ...(revokedFor.reason !== undefined ? { reason: revokedFor.reason } : {}),
      at: tx.now.toISOString(),
      ...(revokedFor.cause ? { cause: revokedFor.cause } : {}),
    });
  }
  const updated = { ...user, awards: user.awards.filter((a) => !taken.has(a.badge)) };
  if (updated.awards.length !== user.awards.length) tx.put({ t: 'user', s: serviceName, v: updated });
  const held = new Set(user.awards.map((a) => a.badge));
  return { user: updated, absent: [...new Set(badges.filter((b) => !held.has(b)))] };
}

/**
 * Revokes one award instance: the user's count of its badge goes down by one (the award record
 * goes with its last instance), `first` and `latest` follow the instances left. The instance is
 * kept, marked revoked. Revoking one revoked already changes nothing and answers it as it is.
 */
export async function revokeAward(tx: Tx, serviceName: string, userName: string, id: string, reason: string | null): Promise<{ instance: AwardInstance; user: UserRecord | undefined }> {
  await requireService(tx, serviceName);
  const item = await tx.item(serviceName, AWARD_KIND, id);
  if (!item || item.owner !== userName) throw notFound('award_not_found', `User "${userName}" of service "${serviceName}" has no award "${id}"`);
  const instance = item.v as AwardInstance;
  if (instance.revoked) return { instance, user: await tx.user(serviceName, userName) };
  // The other awards of the badge must be instances too, for the record's dates to follow them.
  const others = (await settleInstances(tx, serviceName, userName)).filter((other) => other.id !== id && isLive(other) && (other.v as AwardInstance).badge === instance.badge);
  const user = (await tx.user(serviceName, userName))!;
  const held = user.awards.find((a) => a.badge === instance.badge);
  markRevoked(tx, serviceName, [item], reason);
  const now = tx.now.toISOString();
  const revoked = { ...instance, revoked: { at: now, reason } };
  if (!held) return { instance: revoked, user };
  const left: AwardRecord | undefined = others.length === 0 ? undefined : afterOneLess(held, instance, others.map((other) => other.at));
  const updated: UserRecord = { ...user, awards: left ? user.awards.map((a) => (a.badge === held.badge ? left : a)) : user.awards.filter((a) => a !== held) };
  tx.put({ t: 'user', s: serviceName, v: updated });
  const record = (await tx.badges(serviceName, [held.badge])).get(held.badge);
  if (record) {
    const elsewhere = await tx.latestAward(serviceName, held.badge, new Set([userName]));
    const latest = left ? later(elsewhere, left.latest) : elsewhere;
    tx.put({ t: 'badge', s: serviceName, v: { ...record, count: record.count - 1, latest } });
  }
  tx.emit({ type: 'award.revoked', service: serviceName, user: userName, badge: held.badge, count: 1, awards: [id], ...(reason !== null ? { reason } : {}), at: now });
  return { instance: revoked, user: updated };
}

/** An award record with one instance (`gone`) fewer, dated by the instances left (`times`). */
function afterOneLess(held: AwardRecord, gone: AwardInstance, times: readonly string[]): AwardRecord {
  const sorted = [...times].sort();
  const { period, ...rest } = held;
  const next: AwardRecord = { ...rest, count: held.count - 1, first: sorted[0]!, latest: sorted.at(-1)! };
  // The frequency cap counts awards of its current period: one from it gone, one fewer counted.
  if (!period) return next;
  const count = gone.at >= period.start ? period.count - 1 : period.count;
  return count > 0 ? { ...next, period: { start: period.start, count } } : next;
}

/** Awards may be back-dated (imports, the demo seed), so `latest` never moves backwards. */
const later = (a: string | null, b: string) => (a !== null && a > b ? a : b);
