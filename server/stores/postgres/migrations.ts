import pg from 'pg';
import { SUBJECT_KINDS, subjectOf } from '../../core/subjects.js';

/**
 * The schema, as an ordered list of steps. A step, once released, is never edited: a change to the
 * schema is a new step, so every database gets to the same place by the same road.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (client: pg.ClientBase) => Promise<void>;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'services, badges, users and replays',
    // Records stay close to their JSON: timestamps are the records' ISO strings, kept as text so they
    // come back byte for byte. Badge fields and settings are `json`, not `jsonb`, because jsonb
    // reorders object keys and the API shows fields in the order they were written. Names are
    // COLLATE "C": in UTF-8 that is code-point order, the API's order (server/core/order.ts).
    // `position` keeps services and badges in the order they were created, as listed.
    sql: `
      CREATE TABLE services (
        name text COLLATE "C" PRIMARY KEY,
        name_lower text COLLATE "C" NOT NULL UNIQUE,
        key text NOT NULL,
        created_at text NOT NULL,
        settings json,
        position bigint GENERATED ALWAYS AS IDENTITY
      );

      CREATE TABLE badges (
        service text COLLATE "C" NOT NULL REFERENCES services (name) ON DELETE CASCADE,
        name text COLLATE "C" NOT NULL,
        fields json NOT NULL,
        count bigint NOT NULL,
        latest text COLLATE "C",
        created_at text NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (service, name)
      );
      CREATE INDEX badges_in_order ON badges (service, position);

      -- total and latest are derived from awards (the user's count and latest award), kept for the
      -- sort orders; each order has its index both ways, since ties go by name ascending either way.
      CREATE TABLE users (
        service text COLLATE "C" NOT NULL REFERENCES services (name) ON DELETE CASCADE,
        name text COLLATE "C" NOT NULL,
        created_at text NOT NULL,
        awards jsonb NOT NULL,
        total bigint NOT NULL,
        latest text COLLATE "C",
        PRIMARY KEY (service, name)
      );
      CREATE INDEX users_by_count ON users (service, total, name);
      CREATE INDEX users_by_count_desc ON users (service, total DESC, name);
      CREATE INDEX users_by_date ON users (service, (coalesce(latest, '')), name);
      CREATE INDEX users_by_date_desc ON users (service, (coalesce(latest, '')) DESC, name);
      -- The holders of a badge. The service is folded into the indexed document ({service: awards}),
      -- so that one index entry names the service and the badge together: a plain index on awards
      -- would return every holder of a badge of that name in every service.
      CREATE INDEX users_holding ON users USING gin ((jsonb_set('{}'::jsonb, ARRAY[service], awards)) jsonb_path_ops);

      -- A signature's first use, and the answer it got (for an identical repeat of an unsigned-nonce
      -- request); answered says the first use is over, whether or not its answer was kept.
      CREATE TABLE replays (
        key text PRIMARY KEY,
        request text NOT NULL,
        expires_at bigint NOT NULL,
        answered boolean NOT NULL DEFAULT false,
        answer jsonb
      );
      CREATE INDEX replays_by_expiry ON replays (expires_at);
    `,
  },
  {
    version: 2,
    name: 'items',
    // The records features add (events, rules, keys, deliveries...), as core/model.ts's Item. The
    // value is json, not jsonb, for the reason badge fields are: it keeps the order of keys.
    sql: `
      CREATE TABLE items (
        service text COLLATE "C" NOT NULL REFERENCES services (name) ON DELETE CASCADE,
        kind text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        owner text COLLATE "C",
        at text COLLATE "C" NOT NULL,
        v json NOT NULL,
        PRIMARY KEY (service, kind, id)
      );
      CREATE INDEX items_in_order ON items (service, kind, at, id);
      CREATE INDEX items_by_owner ON items (service, kind, owner, at, id) WHERE owner IS NOT NULL;
      -- Work that is due, of every service (webhook deliveries, expiries): dueItems.
      CREATE INDEX items_due ON items (kind, at);
    `,
  },
  {
    version: 3,
    name: "users' progress towards badge goals",
    // json, not jsonb, as the badges' fields: the map comes back in the order it was written.
    sql: 'ALTER TABLE users ADD COLUMN progress json',
  },
  {
    version: 4,
    name: 'items name their data subject',
    // Whose personal data an item holds (core/subjects.ts): what export, erasure and renaming of a
    // person read, one index range per person. Rows written before get the subject their kind
    // gives, from the same table the server fills new items' subjects from.
    sql: `
      ALTER TABLE items ADD COLUMN subject text COLLATE "C";
      CREATE INDEX items_by_subject ON items (service, subject, kind, at, id) WHERE subject IS NOT NULL;
    `,
    run: assignSubjects,
  },
  {
    version: 5,
    name: 'item counts per service and kind',
    // What quotas are checked against, inside a unit of work: count(*) over a million events would
    // cost tens of ms in every unit. Kept by statement triggers, so every way items come and go
    // (upserts, removals, a service's removal cascading) counts. A count at zero is left in place.
    sql: `
      CREATE TABLE item_counts (
        service text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (service, kind)
      );
      INSERT INTO item_counts (service, kind, n) SELECT service, kind, count(*) FROM items GROUP BY service, kind;
      CREATE FUNCTION items_counted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO item_counts AS c (service, kind, n) SELECT service, kind, count(*) FROM added GROUP BY service, kind
            ON CONFLICT (service, kind) DO UPDATE SET n = c.n + excluded.n;
        ELSE
          UPDATE item_counts c SET n = c.n - d.n
            FROM (SELECT service, kind, count(*) AS n FROM removed GROUP BY service, kind) d
           WHERE c.service = d.service AND c.kind = d.kind;
        END IF;
        RETURN NULL;
      END $$;
      -- An upsert's INSERT trigger sees only the rows it inserted; an update changes no count.
      CREATE TRIGGER items_added AFTER INSERT ON items REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION items_counted();
      CREATE TRIGGER items_removed AFTER DELETE ON items REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION items_counted();
    `,
  },
  {
    version: 6,
    name: 'leaderboards, holders, featured and hidden badges',
    // What the leaderboards and the holders list read from an index rather than a scan (see
    // core/standings.ts, which derives every value here from the user's record): the user's score
    // on each board in columns of users, and one row per badge held in holdings. Scores are indexed
    // negated so that a board's order (score descending, then reached, then name) is a plain
    // ascending index range, and a page after a cursor is a row comparison.
    sql: `
      ALTER TABLE users ADD COLUMN display json;
      ALTER TABLE users ADD COLUMN score bigint, ADD COLUMN score_at text COLLATE "C",
        ADD COLUMN week_start text COLLATE "C", ADD COLUMN week_score bigint, ADD COLUMN week_at text COLLATE "C",
        ADD COLUMN month_start text COLLATE "C", ADD COLUMN month_score bigint, ADD COLUMN month_at text COLLATE "C";
      CREATE INDEX users_board_all ON users (service, (-score), score_at, name) WHERE score IS NOT NULL;
      CREATE INDEX users_board_week ON users (service, week_start, (-week_score), week_at, name) WHERE week_start IS NOT NULL;
      CREATE INDEX users_board_month ON users (service, month_start, (-month_score), month_at, name) WHERE month_start IS NOT NULL;

      CREATE TABLE holdings (
        service text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        badge text COLLATE "C" NOT NULL,
        count bigint NOT NULL,
        first text COLLATE "C" NOT NULL,
        latest text COLLATE "C" NOT NULL,
        week_start text COLLATE "C",
        week_count bigint,
        month_start text COLLATE "C",
        month_count bigint,
        hidden boolean NOT NULL,
        PRIMARY KEY (service, name, badge),
        FOREIGN KEY (service, name) REFERENCES users (service, name) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE INDEX holdings_newest ON holdings (service, badge, latest DESC, name) WHERE NOT hidden;
      CREATE INDEX holdings_board_all ON holdings (service, badge, (-count), latest, name) WHERE NOT hidden;
      CREATE INDEX holdings_board_week ON holdings (service, badge, week_start, (-week_count), latest, name) WHERE NOT hidden AND week_start IS NOT NULL;
      CREATE INDEX holdings_board_month ON holdings (service, badge, month_start, (-month_count), latest, name) WHERE NOT hidden AND month_start IS NOT NULL;

      -- Awards made before points count 1 each; they have no period tallies.
      UPDATE users SET score = total, score_at = latest WHERE jsonb_array_length(awards) > 0;
      INSERT INTO holdings (service, name, badge, count, first, latest, hidden)
        SELECT u.service, u.name, a->>'badge', (a->>'count')::bigint, a->>'first', a->>'latest', false
          FROM users u, jsonb_array_elements(u.awards) a;
    `,
  },
];

/** Gives every item of a kind that holds someone's data its subject, a page of rows at a time. */
async function assignSubjects(client: pg.ClientBase): Promise<void> {
  const PAGE = 1000;
  let after = ['', '', ''];
  for (;;) {
    const { rows } = await client.query<{ service: string; kind: string; id: string; owner: string | null; at: string; v: unknown }>(
      `SELECT service, kind, id, owner, at, v FROM items
        WHERE kind = ANY($1::text[]) AND (service, kind, id) > ($2, $3, $4) ORDER BY service, kind, id LIMIT ${PAGE}`,
      [SUBJECT_KINDS, ...after],
    );
    const named = rows.map((row) => ({ row, subject: subjectOf({ ...row, subject: null }) })).filter(({ subject }) => subject !== null);
    if (named.length > 0) {
      await client.query(
        `UPDATE items SET subject = t.subject FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t (service, kind, id, subject)
          WHERE (items.service, items.kind, items.id) = (t.service, t.kind, t.id)`,
        ['service', 'kind', 'id'].map((column) => named.map(({ row }) => row[column as 'service' | 'kind' | 'id'])).concat([named.map(({ subject }) => subject!)]),
      );
    }
    if (rows.length < PAGE) return;
    const last = rows.at(-1)!;
    after = [last.service, last.kind, last.id];
  }
}

/** The session lock migrations run under, in the two-key space so it cannot meet a service's lock. */
const LOCK = [0x75626467, 1] as const; // "ubdg"

/**
 * Brings the database's schema up to date, under a lock so that instances starting together run
 * each step once. Refuses a database whose schema is newer than this code (running old code on it
 * could write what the new schema forbids) and one not in UTF-8. Returns the versions it applied.
 */
export async function migrate(url: string, steps: readonly Migration[] = migrations): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...LOCK]);
    try {
      return await applyPending(client, steps);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...LOCK]);
    }
  } finally {
    await client.end();
  }
}

async function applyPending(client: pg.Client, steps: readonly Migration[]): Promise<number[]> {
  const { rows: [encoding] } = await client.query<{ server_encoding: string }>('SHOW server_encoding');
  if (encoding?.server_encoding !== 'UTF8') {
    // Names are ordered by their bytes (COLLATE "C"), which is code-point order only in UTF-8.
    throw new Error(`The database's encoding is ${encoding?.server_encoding}; user-badges needs a UTF8 database`);
  }
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const done = new Set(rows.map((row) => row.version));
  const current = Math.max(0, ...done);
  // Every step not applied yet, in version order whatever the order of the list: steps made on
  // branches merged separately may come in out of order, and a database may have a later one already.
  const ordered = [...steps].sort((a, b) => a.version - b.version);
  const known = ordered.at(-1)?.version ?? 0;
  if (current > known) {
    throw new Error(`The database schema is at version ${current}, newer than this user-badges knows (${known}); upgrade user-badges`);
  }
  const applied: number[] = [];
  for (const step of ordered.filter((s) => !done.has(s.version))) {
    await client.query('BEGIN');
    try {
      await client.query(step.sql);
      await step.run?.(client);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw new Error(`Migration ${step.version} (${step.name}) failed: ${(error as Error).message}`, { cause: error });
    }
    applied.push(step.version);
  }
  return applied;
}
