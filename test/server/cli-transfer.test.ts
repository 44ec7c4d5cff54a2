import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../../server/stores/postgres/embedded.js';
import { openStore } from '../../server/stores/index.js';
import { withPostgres } from '../support/postgres.js';
import { cli } from '../support/serve.js';
import { tempDir } from './harness.js';

describe('moving to PostgreSQL with the CLI', () => {
  test('migrate, export, import, and the service commands there; the old store then refuses and says where the data went (issue 24.2)', async (t) => {
    const dir = await tempDir(t);
    const data = join(dir, 'db.json');
    const database = await withPostgres();

    const migrated = await cli(['migrate', '--database', database]);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /Applied migrations 1/);
    assert.match((await cli(['migrate', '--database', database])).stdout, /up to date/);

    const created = await cli(['service', 'create', 'shop', '--data', data]);
    assert.equal(created.code, 0, created.stderr);
    const { key } = JSON.parse(created.stdout);

    const file = join(dir, 'export.jsonl');
    const exported = await cli(['export', '--data', data, '--out', file]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /Exported 1 services, 0 badges, 0 users/);
    assert.match(exported.stderr, /holds every service's key, the scoped keys and the webhook signing secrets.*--without-secrets/);
    assert.match((await readFile(file, 'utf8')).split('\n')[0]!, /"format":"user-badges-export","version":1,.*"secrets":true/);

    // A copy (a staging database) leaves the store in use.
    const copied = await cli(['import', file, '--database', await withPostgres(), '--copy']);
    assert.equal(copied.code, 0, copied.stderr);
    assert.doesNotMatch(copied.stderr, /marked as moved/);
    assert.equal((await cli(['service', 'list', '--data', data])).code, 0);

    const imported = await cli(['import', file, '--database', database]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /Imported 1 services/);
    assert.match(imported.stderr, /is marked as moved/);
    // Vacuumed, and the planner has the statistics of what was loaded, without waiting for autovacuum.
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      const analyzed = await client.query<{ relname: string }>("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND last_vacuum IS NOT NULL AND relname IN ('users', 'holdings', 'items', 'badges') ORDER BY relname");
      assert.deepEqual(analyzed.rows.map((r) => r.relname), ['badges', 'holdings', 'items', 'users']);
    } finally {
      await client.end();
    }
    const again = await cli(['import', file, '--database', database]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /line 2: service "shop" exists already.*nothing was imported/);

    const listed = await cli(['service', 'list', '--database', database]);
    assert.deepEqual(listed.stdout.trim().split('\n').map((line) => JSON.parse(line).name), ['shop']);
    const exportedBack = await cli(['export', '--database', database, '--service', 'shop']);
    assert.equal(exportedBack.code, 0, exportedBack.stderr);
    assert.equal(JSON.parse(exportedBack.stdout.split('\n')[1]!).service.key, key, 'the key moved with the service');

    // Aimed at the old store by mistake (no --database): refused, saying where the data is, nothing written there.
    const where = new URL(database);
    const moved = new RegExp(`The data of ${data} moved to PostgreSQL \\(postgres://postgres:\\*\\*\\*@${where.host}${where.pathname}\\) on \\d{4}-\\d\\d-\\d\\d: use --database`);
    for (const args of [['service', 'create', 'x'], ['key', 'create', 'shop', '--label', 'l', '--operations', 'award'], ['service', 'list'], ['export'], ['import', file]]) {
      const refused = await cli([...args, '--data', data]);
      assert.equal(refused.code, 1, args.join(' '));
      assert.match(refused.stderr, moved, args.join(' '));
    }
    const serving = await cli(['serve', '--port', '0', '--data', data]);
    assert.deepEqual([serving.code, moved.test(serving.stderr)], [1, true], serving.stderr);
    const store = await openStore({ file: data });
    assert.deepEqual((await store.listServices()).map((s) => s.name), ['shop'], 'the old store got nothing');
    await store.close();

    // The settings file every command reads: DATABASE_URL there, and the same commands work on the database.
    await writeFile(join(dir, 'user-badges.env'), `DATA_FILE=${data}\nDATABASE_URL=${database}\n`, { mode: 0o600 });
    const viaFile = await cli(['service', 'create', 'x'], { SETTINGS_FILE: undefined, DATABASE_URL: undefined }, { cwd: dir });
    assert.equal(viaFile.code, 0, viaFile.stderr);
    assert.deepEqual((await cli(['service', 'list', '--database', database])).stdout.trim().split('\n').map((line) => JSON.parse(line).name), ['shop', 'x']);
  });

  test('migrate without a database, or with one that does not answer, says what to do (issue 24.3)', async () => {
    const none = await cli(['migrate'], { DATABASE_URL: undefined });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /migrate needs a database: --database postgres:\/\/\.\.\. or DATABASE_URL\. For development, "user-badges postgres start" runs one/);
    const port = await freePort();
    const refused = await cli(['migrate', '--database', `postgres://me:secret@127.0.0.1:${port}/badges`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`^user-badges: Nothing answers at 127\\.0\\.0\\.1:${port} \\(postgres://me:\\*\\*\\*@127\\.0\\.0\\.1:${port}/badges\\): start PostgreSQL there, .*"user-badges postgres start"`));
    assert.doesNotMatch(refused.stderr, /secret/);
  });
});
