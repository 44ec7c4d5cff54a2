import type { BadgeFields } from '../../../types/api.js';
import type { AwardRecord, BadgeRecord, Recent, ServiceRecord, ServiceSettings, UserRecord } from '../../core/model.js';

/**
 * Rows to records and back. Records are rebuilt key by key in the order the rules write them, so a
 * record read from PostgreSQL serialises exactly as the same record from the embedded store.
 */

export const SERVICE_COLUMNS = 'name, key, created_at, settings';
export const BADGE_COLUMNS = 'name, fields, count, latest, created_at';
export const USER_COLUMNS = 'name, created_at, awards, progress, display';

export interface ServiceRow {
  name: string;
  key: string;
  created_at: string;
  settings: ServiceSettings | null;
}
export interface BadgeRow {
  name: string;
  fields: BadgeFields;
  count: number;
  latest: string | null;
  created_at: string;
}
export interface UserRow {
  name: string;
  created_at: string;
  awards: AwardRecord[];
  progress: Record<string, number> | null;
  display: { featured?: string[]; hidden?: string[] } | null;
}

export const serviceRecord = (row: ServiceRow): ServiceRecord => ({
  name: row.name,
  key: row.key,
  createdAt: row.created_at,
  ...(row.settings !== null ? { settings: row.settings } : {}),
});

export const badgeRecord = (row: BadgeRow): BadgeRecord => ({
  name: row.name,
  fields: row.fields,
  count: row.count,
  latest: row.latest,
  createdAt: row.created_at,
});

export const userRecord = (row: UserRow): UserRecord => ({
  name: row.name,
  createdAt: row.created_at,
  awards: row.awards.map((a) => ({
    badge: a.badge,
    count: a.count,
    first: a.first,
    latest: a.latest,
    ...(a.period ? { period: { start: a.period.start, count: a.period.count } } : {}),
    ...(a.points !== undefined ? { points: a.points } : {}),
    ...(a.recent ? { recent: recentOf(a.recent) } : {}),
  })),
  ...(row.progress !== null ? { progress: row.progress } : {}),
  ...(row.display?.featured ? { featured: row.display.featured } : {}),
  ...(row.display?.hidden ? { hidden: row.display.hidden } : {}),
});

const recentOf = (r: Recent): Recent => ({
  week: r.week,
  weekCount: r.weekCount,
  weekPoints: r.weekPoints,
  month: r.month,
  monthCount: r.monthCount,
  monthPoints: r.monthPoints,
});

/** The user's choices of what to show, as the `display` column keeps them; null when none was made. */
export const displayOf = (user: UserRecord): string | null =>
  user.featured || user.hidden ? JSON.stringify({ ...(user.featured ? { featured: user.featured } : {}), ...(user.hidden ? { hidden: user.hidden } : {}) }) : null;
