import type { BadgeFields, JsonValue } from '../types/api.js';
import type { UserResult } from './loader.js';
import type { BadgeProgress, BadgeState } from './wire.js';

/**
 * A badge as render hooks receive it: every custom field the service set (`description`, `link`,
 * `type`, `title`, `image`, `tags`, `badge_states`, ...), this user's `count`, `latest`, `state`
 * and `progress`, and the service-wide `globalCount`/`globalLatest`.
 */
export interface BadgeData extends BadgeFields {
  name: string;
  /** Times this user was awarded the badge: 0 for a badge not earned (`show="all"`). */
  count: number;
  /** ISO-8601 time of this user's last award; null for a badge not earned. */
  latest: string | null;
  /** `earned`, or with `show="all"` also `in_progress` or `unearned`. */
  state: BadgeState;
  /** How far the user is towards the badge's `goal`, when the server says; else null. */
  progress: BadgeProgress | null;
  /** Times the badge was awarded, all users together. */
  globalCount: number;
  /** ISO-8601 time of the last award to anyone. */
  globalLatest: string | null;
}

/** The user's badges in the order the server sent them, merged with the service's badge fields. */
export function badgesOf(r: UserResult | undefined): BadgeData[] {
  return (r?.user?.badges ?? []).map((b) => {
    const s = r!.badges[b.name];
    return {
      ...s,
      name: b.name,
      count: b.count,
      latest: b.latest,
      // Without `states=all` the server lists earned badges only, and says no state.
      state: b.state || 'earned',
      progress: b.progress || null,
      globalCount: s?.count ?? b.count,
      globalLatest: s?.latest ?? b.latest,
    };
  });
}

/** `url` if it is safe as a link or image address (http, https, mailto, or relative), else undefined. */
export function safeUrl(url: unknown): string | undefined {
  try {
    if (typeof url == 'string' && /^(https?|mailto):$/.test(new URL(url, document.baseURI).protocol)) return url;
  } catch {
    // not a URL
  }
  return undefined;
}

/** A string field, or '' when absent or not a string. */
export const text = (v: JsonValue | undefined): string => (typeof v == 'string' ? v : '');

