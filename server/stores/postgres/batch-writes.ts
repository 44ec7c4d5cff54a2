import { changeKey, type Change } from '../../core/changes.js';
import { userCount, userLatest } from '../../core/order.js';
import { holderStanding, userStanding } from '../../core/standings.js';
import { displayOf } from './rows.js';

export interface Statement {
  text: string;
  values: unknown[];
}

interface Final {
  change: Change;
  /** The row in the database goes first: the record was removed in this batch (and maybe made again). */
  removeFirst: boolean;
}

/**
 * The changes of a batch's units, reduced to the last change of each record and written in a few
 * statements: removals first (a service's removal cascades to its badges and users), then every
 * upsert (holdings too) and the batch's notifications in one statement.
 *
 * A record removed and made again in the batch is deleted and inserted, not updated: a service made
 * again starts empty, and a badge made again is listed last, as on the embedded store. New rows are
 * inserted in the order they were first made, which is the order services and badges are listed in.
 */
export class BatchWrites {
  private readonly finals = new Map<string, Final>();

  add(changes: readonly Change[]): void {
    for (const change of changes) {
      const key = changeKey(change);
      const previous = this.finals.get(key);
      if (change.t === 'service-') this.dropContents(change.n);
      const removal = change.t.endsWith('-');
      // A record made again after its removal takes a new place at the end.
      if (previous && !removal && previous.change.t.endsWith('-')) this.finals.delete(key);
      this.finals.set(key, { change, removeFirst: removal || (previous?.removeFirst ?? false) });
    }
  }

  get size(): number {
    return this.finals.size;
  }

  /** The statements that write the batch, the last of them sending `notifications`. */
  statements(notifications: readonly string[]): Statement[] {
    const removed = { services: [] as string[], badges: pairs(), users: pairs(), items: columns(3) };
    const services = columns(5);
    const badges = columns(6);
    const users = columns(17);
    const items = columns(7);
    const holdings = columns(11);
    for (const { change, removeFirst } of this.finals.values()) {
      if (removeFirst) {
        if (change.t === 'service' || change.t === 'service-') removed.services.push(change.t === 'service' ? change.v.name : change.n);
        else if (change.t === 'badge' || change.t === 'badge-') removed.badges.add(change.s, change.t === 'badge' ? change.v.name : change.n);
        else if (change.t === 'user' || change.t === 'user-') removed.users.add(change.s, change.t === 'user' ? change.v.name : change.n);
        else removed.items.add(change.s, change.t === 'item' ? change.v.kind : change.k, change.t === 'item' ? change.v.id : change.id);
      }
      if (change.t === 'service') {
        const v = change.v;
        services.add(v.name, v.name.toLowerCase(), v.key, v.createdAt, v.settings === undefined ? null : JSON.stringify(v.settings));
      } else if (change.t === 'badge') {
        const v = change.v;
        badges.add(change.s, v.name, JSON.stringify(v.fields), v.count, v.latest, v.createdAt);
      } else if (change.t === 'user') {
        const v = change.v;
        const [all, week, month] = (['all', 'week', 'month'] as const).map((period) => userStanding(v, period));
        users.add(
          change.s, v.name, v.createdAt, JSON.stringify(v.awards), userCount(v), userLatest(v), v.progress === undefined ? null : JSON.stringify(v.progress), displayOf(v),
          all?.score ?? null, all?.reached ?? null, week?.start ?? null, week?.score ?? null, week?.reached ?? null, month?.start ?? null, month?.score ?? null, month?.reached ?? null,
          v.awards.map((a) => a.badge),
        );
        for (const award of v.awards) {
          const [w, m] = [holderStanding(v, award, 'week'), holderStanding(v, award, 'month')];
          holdings.add(change.s, v.name, award.badge, award.count, award.first, award.latest, w?.start ?? null, w?.score ?? null, m?.start ?? null, m?.score ?? null, v.hidden?.includes(award.badge) ?? false);
        }
      } else if (change.t === 'item') {
        const v = change.v;
        items.add(change.s, v.kind, v.id, v.owner, v.subject ?? null, v.at, JSON.stringify(v.v));
      }
    }
    const statements: Statement[] = [];
    if (removed.services.length > 0) statements.push({ text: 'DELETE FROM services WHERE name = ANY($1::text[])', values: [removed.services] });
    for (const table of ['badges', 'users'] as const) {
      const { services: s, names } = removed[table];
      if (s.length > 0) {
        statements.push({
          text: `DELETE FROM ${table} WHERE (service, name) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          values: [s, names],
        });
      }
    }
    if (removed.items.arrays[0]!.length > 0) {
      statements.push({
        text: 'DELETE FROM items WHERE (service, kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))',
        values: removed.items.arrays,
      });
    }
    // A user's badges held, as a JSON array per user: the holdings of badges no longer held go.
    const held = users.arrays.pop()!.map((badges) => JSON.stringify(badges));
    statements.push({
      text: UPSERT_AND_NOTIFY,
      values: [...services.arrays, ...badges.arrays, ...users.arrays, ...items.arrays, notifications, users.arrays[0], users.arrays[1], held, ...holdings.arrays],
    });
    return statements;
  }

  /** A removed service's badges and users go with it: the cascade removes what is in the database. */
  private dropContents(service: string): void {
    for (const [key, { change }] of this.finals) {
      if (change.t !== 'service' && change.t !== 'service-' && change.s === service) this.finals.delete(key);
    }
  }
}

// One statement, one round trip, whatever the batch holds: empty arrays insert nothing. Rows are
// inserted in the arrays' order so that new services and badges get their positions in that order.
const UPSERT_AND_NOTIFY = `
  WITH s AS (
    INSERT INTO services (name, name_lower, key, created_at, settings)
    SELECT name, name_lower, key, created_at, settings
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::json[]) WITH ORDINALITY
        AS t (name, name_lower, key, created_at, settings, n)
     ORDER BY n
    ON CONFLICT (name) DO UPDATE SET key = excluded.key, created_at = excluded.created_at, settings = excluded.settings
  ), b AS (
    INSERT INTO badges (service, name, fields, count, latest, created_at)
    SELECT service, name, fields, count, latest, created_at
      FROM unnest($6::text[], $7::text[], $8::json[], $9::int8[], $10::text[], $11::text[]) WITH ORDINALITY
        AS t (service, name, fields, count, latest, created_at, n)
     ORDER BY n
    ON CONFLICT (service, name) DO UPDATE
      SET fields = excluded.fields, count = excluded.count, latest = excluded.latest, created_at = excluded.created_at
  ), u AS (
    INSERT INTO users (service, name, created_at, awards, total, latest, progress, display,
                       score, score_at, week_start, week_score, week_at, month_start, month_score, month_at)
    SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::jsonb[], $16::int8[], $17::text[], $18::json[], $19::json[],
                         $20::int8[], $21::text[], $22::text[], $23::int8[], $24::text[], $25::text[], $26::int8[], $27::text[])
    ON CONFLICT (service, name) DO UPDATE
      SET created_at = excluded.created_at, awards = excluded.awards, total = excluded.total, latest = excluded.latest,
          progress = excluded.progress, display = excluded.display, score = excluded.score, score_at = excluded.score_at,
          week_start = excluded.week_start, week_score = excluded.week_score, week_at = excluded.week_at,
          month_start = excluded.month_start, month_score = excluded.month_score, month_at = excluded.month_at
  ), i AS (
    INSERT INTO items (service, kind, id, owner, subject, at, v)
    SELECT * FROM unnest($28::text[], $29::text[], $30::text[], $31::text[], $32::text[], $33::text[], $34::json[])
    ON CONFLICT (service, kind, id) DO UPDATE SET owner = excluded.owner, subject = excluded.subject, at = excluded.at, v = excluded.v
  ), stale AS (
    -- The holdings of badges the written users no longer hold: never a row the next part writes.
    DELETE FROM holdings h USING unnest($36::text[], $37::text[], $38::jsonb[]) AS t (service, name, held)
     WHERE h.service = t.service AND h.name = t.name AND NOT t.held ? h.badge
  ), h AS (
    -- One row per badge held; a row that would not change is not written (most of a user's, at an
    -- award). A new user's rows pass their foreign key: it is checked when the statement ends.
    INSERT INTO holdings (service, name, badge, count, first, latest, week_start, week_count, month_start, month_count, hidden)
    SELECT * FROM unnest($39::text[], $40::text[], $41::text[], $42::int8[], $43::text[], $44::text[], $45::text[], $46::int8[], $47::text[], $48::int8[], $49::bool[])
    ON CONFLICT (service, name, badge) DO UPDATE
      SET count = excluded.count, first = excluded.first, latest = excluded.latest, week_start = excluded.week_start,
          week_count = excluded.week_count, month_start = excluded.month_start, month_count = excluded.month_count, hidden = excluded.hidden
      WHERE (holdings.count, holdings.first, holdings.latest, holdings.week_start, holdings.week_count, holdings.month_start, holdings.month_count, holdings.hidden)
        IS DISTINCT FROM (excluded.count, excluded.first, excluded.latest, excluded.week_start, excluded.week_count, excluded.month_start, excluded.month_count, excluded.hidden)
  )
  SELECT pg_notify('user_badges', payload) FROM unnest($35::text[]) AS payload`;

function columns(width: number) {
  const arrays = Array.from({ length: width }, () => [] as unknown[]);
  return { arrays, add: (...values: unknown[]) => values.forEach((value, i) => arrays[i]!.push(value)) };
}

function pairs() {
  const services: string[] = [];
  const names: string[] = [];
  return { services, names, add: (service: string, name: string) => (services.push(service), names.push(name)) };
}
