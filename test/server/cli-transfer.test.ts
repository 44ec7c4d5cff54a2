import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { withPostgres } from '../support/postgres.js';
import { cli } from '../support/serve.js';
import { tempDir } from './harness.js';

test('the CLI moves a store to PostgreSQL: migrate, export, import, and the service commands there', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'db.json');
  const database = await withPostgres();

  const migrated = await cli(['migrate', '--database', database]);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /Applied migrations 1/);
  assert.match((await cli(['migrate', '--database', database])).stdout, /up to date/);
  assert.match((await cli(['migrate'], { DATABASE_URL: '' })).stderr, /needs --database/);

  const created = await cli(['service', 'create', 'shop', '--data', data]);
  assert.equal(created.code, 0, created.stderr);
  const { key } = JSON.parse(created.stdout);

  const file = join(dir, 'export.jsonl');
  const exported = await cli(['export', '--data', data, '--out', file]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stderr, /Exported 1 services, 0 badges, 0 users/);
  assert.match((await readFile(file, 'utf8')).split('\n')[0]!, /"format":"user-badges-export","version":1/);

  const imported = await cli(['import', file, '--database', database]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /Imported 1 services/);
  const again = await cli(['import', file, '--database', database]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /line 2: service "shop" exists already.*nothing was imported/);

  const listed = await cli(['service', 'list', '--database', database]);
  assert.deepEqual(listed.stdout.trim().split('\n').map((line) => JSON.parse(line).name), ['shop']);
  const exportedBack = await cli(['export', '--database', database, '--service', 'shop']);
  assert.equal(exportedBack.code, 0, exportedBack.stderr);
  assert.equal(JSON.parse(exportedBack.stdout.split('\n')[1]!).service.key, key, 'the key moved with the service');
});
