import type { Badge, BadgeSummary, SortKey, User, UserBadge, UsersResponse } from '../../types/api.js';
import type { BADGE_STATES } from '../../types/schema.js';
import { sortBy } from '../core/order.js';
import type { BadgeRecord, UserRecord } from '../core/model.js';
import type { Queries } from '../core/ports.js';
import { progressOf } from '../core/rules/progress.js';
import { belongsTo } from '../core/issuing/issuers.js';
import { eligible, nextDisplayChange, segmented, tagged, termsOf, within, type Terms } from '../core/terms.js';
import { SEGMENTS_KIND } from '../core/segments.js';

/** Records to the wire shapes of `types/api.ts`. */

export const badgeView = (badge: BadgeRecord): Badge => ({ name: badge.name, ...badge.fields, count: badge.count, latest: badge.latest });

export const badgeSummary = (badge: BadgeRecord): BadgeSummary => ({ ...badge.fields, count: badge.count, latest: badge.latest });

export const sortBadges = (badges: BadgeRecord[], sort: SortKey) => sortBy(badges, sort, (b) => b.name, (b) => b.count, (b) => b.latest);

/** What a public read asks to see. */
export interface ReadOptions {
  sort?: SortKey;
  /** `all`: every listable badge of the service for each user, each with its state; `earned` (default): what they hold. */
  states?: 'earned' | 'all';
  /** Only badges having any of these tags. */
  tags?: string[];
  /** Only badges of this issuer (or program): see core/issuing/issuers.ts. */
  issuer?: string;
  program?: string;
}

/**
 * The badges one public read shows, decided at one instant: those in their display window and with
 * a tag asked for. A disabled badge still shows to its holders (they earned it) but is not offered
 * as unearned, since nobody can earn it now.
 */
export class Listing {
  private readonly shown = new Map<string, { record: BadgeRecord; terms: Terms }>();
  /** When the answer may change with no write: the next display window edge of any badge read, in ms. */
  readonly until: number | undefined;

  /** `badges`: those the read may show, in the order offered as unearned (see `badgesFor`). */
  constructor(
    badges: readonly BadgeRecord[],
    private readonly options: ReadOptions,
    now: number,
    /** Each user's segments (see `segmentsFor`): a badge for other segments is not offered as unearned. */
    private readonly segments: ReadonlyMap<string, number[]> = new Map(),
  ) {
    let until: number | undefined;
    for (const record of badges) {
      const terms = termsOf(record.fields);
      const edge = nextDisplayChange(terms, now);
      if (edge !== undefined && (until === undefined || edge < until)) until = edge;
      if (within(terms.display, now) && tagged(terms, options.tags) && belongsTo(record, options)) this.shown.set(record.name, { record, terms });
    }
    this.until = until;
  }

  badges(): BadgeRecord[] {
    return [...this.shown.values()].map((s) => s.record);
  }

  /** Whether a read at this instant shows the badge: registered, in its display window, tagged as asked. */
  shows(badge: string): boolean {
    return this.shown.has(badge);
  }

  /** `instances`: the ids of the user's award instances by badge, to list beside each badge held. */
  user(user: UserRecord, instances?: ReadonlyMap<string, string[]>): User {
    const entries: UserBadge[] = [];
    const progress = user.progress;
    // What the user hides is shown to nobody, earned or not (the owner site reads it with its key).
    const hidden = new Set(user.hidden);
    for (const award of user.awards) {
      const badge = hidden.has(award.badge) ? undefined : this.shown.get(award.badge);
      if (!badge) continue;
      const entry = this.entry(badge.record.name, badge.terms, 'earned', award.count, award.latest, progressOf(progress, award.badge));
      entries.push(instances ? { ...entry, awards: instances.get(award.badge) ?? [] } : entry);
    }
    if (this.options.states === 'all') {
      const held = new Set(user.awards.map((a) => a.badge));
      for (const { record, terms } of this.shown.values()) {
        if (held.has(record.name) || hidden.has(record.name) || !terms.enabled) continue;
        if (segmented(terms) && !eligible(terms, this.segments.get(user.name) ?? [])) continue;
        const current = progressOf(progress, record.name) ?? 0;
        entries.push(this.entry(record.name, terms, current > 0 ? 'in_progress' : 'unearned', 0, null, current));
      }
    }
    const { sort } = this.options;
    if (sort) sortBy(entries, sort, (e) => e.name, (e) => e.count, (e) => e.latest);
    let latest: string | null = null;
    for (const e of entries) if (e.latest !== null && (latest === null || e.latest > latest)) latest = e.latest;
    const listed = new Set(entries.filter((e) => e.count > 0).map((e) => e.name));
    const featured = user.featured?.filter((badge) => listed.has(badge));
    return { name: user.name, latest, badges: entries, ...(featured?.length ? { featured } : {}) };
  }

  /** The users, with the service-wide data of every badge listed for any of them. */
  users(users: readonly UserRecord[]): UsersResponse {
    const views = users.map((user) => this.user(user));
    // No prototype: a badge may be named "__proto__", which on a plain object would set the prototype.
    const summaries: UsersResponse['badges'] = Object.create(null);
    for (const view of views) for (const { name } of view.badges) summaries[name] ??= badgeSummary(this.shown.get(name)!.record);
    return { badges: summaries, users: views };
  }

  private entry(name: string, terms: Terms, state: (typeof BADGE_STATES)[number], count: number, latest: string | null, current: number | undefined): UserBadge {
    return {
      name,
      count,
      latest,
      ...(this.options.states === 'all' ? { state } : {}),
      // An earned badge with no progress recorded (awarded directly) is as far as its goal.
      ...(terms.goal !== undefined ? { progress: { current: current ?? (state === 'earned' ? terms.goal : 0), goal: terms.goal } } : {}),
    };
  }
}

/**
 * The segments of the users, when a read offers badges as unearned and some badge is for some
 * segments only: what `Listing` needs to offer a member only what they may earn.
 */
export async function segmentsFor(store: Queries, service: string, users: readonly UserRecord[], badges: readonly BadgeRecord[], states: ReadOptions['states']): Promise<Map<string, number[]>> {
  const segments = new Map<string, number[]>();
  if (states !== 'all' || !badges.some((badge) => segmented(termsOf(badge.fields)))) return segments;
  for (const user of users) {
    const item = await store.getItem(service, SEGMENTS_KIND, user.name);
    if (item) segments.set(user.name, (item.v as { segments: number[] }).segments);
  }
  return segments;
}

/** The badges a read of these users may show: every badge of the service with `states=all`, else those held. */
export async function badgesFor(store: Pick<Queries, 'listBadges' | 'getBadges'>, service: string, users: readonly UserRecord[], states: ReadOptions['states']): Promise<BadgeRecord[]> {
  if (states === 'all') return store.listBadges(service);
  const held = new Set<string>();
  for (const user of users) for (const award of user.awards) held.add(award.badge);
  return store.getBadges(service, held);
}
