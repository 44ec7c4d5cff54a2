import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../support/serve.js';
import { tempDir } from './harness.js';

test('postgres start gives development a database in the data folder in one command, and says it is not for production (issue 24.3)', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'db.json');
  try {
    await startStopStart(dir, data);
  } finally {
    // Before the folder goes: a server left running would hold it until it noticed.
    await cli(['postgres', 'stop', '--data', data]);
  }
});

async function startStopStart(dir: string, data: string) {
  const started = await cli(['postgres', 'start', '--data', data]);
  assert.equal(started.code, 0, started.stderr);
  const url = started.stdout.trim();
  assert.match(url, /^postgres:\/\/postgres:[0-9a-f]{24}@127\.0\.0\.1:\d+\/user_badges$/);
  assert.match(started.stderr, new RegExp(`PostgreSQL for development runs in ${join(dir, 'postgres')}`));
  assert.match(started.stderr, /For development only: .* In production use a PostgreSQL you run and back up\./);
  assert.equal(((await stat(join(dir, 'postgres', 'user-badges.json'))).mode & 0o777), 0o600, 'its password is kept for the owner alone');

  assert.deepEqual(await cli(['postgres', 'status', '--data', data]), { code: 0, stdout: `${url}\n`, stderr: '' });
  const again = await cli(['postgres', 'start', '--data', data]);
  assert.deepEqual([again.code, again.stdout.trim(), /already runs/.test(again.stderr)], [0, url, true]);

  const migrated = await cli(['migrate'], { DATABASE_URL: url });
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.equal((await cli(['service', 'create', 'shop'], { DATABASE_URL: url })).code, 0);

  const stopped = await cli(['postgres', 'stop', '--data', data]);
  assert.deepEqual([stopped.code, /Stopped/.test(stopped.stderr)], [0, true]);
  const down = await cli(['postgres', 'status', '--data', data]);
  assert.deepEqual([down.code, down.stdout], [1, '']);
  const unreachable = await cli(['service', 'list'], { DATABASE_URL: url });
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /Nothing answers at 127\.0\.0\.1:\d+ .*"user-badges postgres start"/);

  // A later start serves the same database at the same URL.
  const restarted = await cli(['postgres', 'start', '--data', data]);
  assert.deepEqual([restarted.code, restarted.stdout.trim()], [0, url], restarted.stderr);
  const listed = await cli(['service', 'list'], { DATABASE_URL: url });
  assert.equal(JSON.parse(listed.stdout).name, 'shop');
}
