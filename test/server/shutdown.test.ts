import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from './harness.js';
import { putHead, rawRequest } from './raw-http.js';
import { serve } from '../support/serve.js';

/** SIGTERM against `user-badges serve` in its own process. */

const award = JSON.stringify({ badges: ['b'] });

describe('shutdown', { timeout: 120_000 }, () => {
  test('SIGTERM with 50 writes in flight: each is applied and answered, idle keep-alive connections are closed, then the server exits', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const server = await serve(['--data', file, '--no-seed'], { env: { SHUTDOWN_GRACE_MS: '60000' } });
    t.after(() => server.child.kill('SIGKILL'));
    const badge = '{"badges":[{"name":"b"}]}';
    const setup = rawRequest(server.port, putHead('/v1/test/badges.json', badge.length) + badge);
    assert.equal((await setup.response)?.status, 200);
    // `setup` is now an idle keep-alive connection.

    // 50 writes whose headers the server has (it said 100 Continue) and whose bodies are still to come.
    const writers = Array.from({ length: 50 }, (_, i) => rawRequest(server.port, putHead(`/v1/test/users/w${i}.json`, award.length, 'Expect: 100-continue\r\n')));
    await Promise.all(writers.map((w) => w.continued));
    server.child.kill('SIGTERM');
    await server.line(/SIGTERM: closing/);
    await setup.closed;
    for (const writer of writers) await writer.send(award);

    const answers = await Promise.all(writers.map((w) => w.response));
    for (const answer of answers) {
      assert.equal(answer?.status, 200);
      assert.equal(answer!.headers.connection, 'close');
    }
    assert.deepEqual(await server.exited, { code: 0, signal: null });

    const again = await serve(['--data', file, '--no-seed']);
    t.after(() => again.child.kill('SIGKILL'));
    const names = Array.from({ length: 50 }, (_, i) => `w${i}`);
    const { users } = await (await fetch(`${again.base}/v1/test/users.json?names=${names.join(',')}`)).json();
    assert.deepEqual(users.map((u: { name: string; badges: { count: number }[] }) => [u.name, u.badges[0]!.count]).sort(), names.map((n) => [n, 1]).sort());
    again.child.kill('SIGTERM');
    assert.deepEqual(await again.exited, { code: 0, signal: null });
  });

  test('a request that does not finish within the grace period is cut, and the server exits', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const server = await serve(['--data', file, '--no-seed'], { env: { SHUTDOWN_GRACE_MS: '500', BODY_TIMEOUT_MS: '600000' } });
    t.after(() => server.child.kill('SIGKILL'));
    const stalled = rawRequest(server.port, putHead('/v1/test/users/slow.json', award.length, 'Expect: 100-continue\r\n'));
    await stalled.continued;
    server.child.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    await stalled.closed;
    assert.match(server.stderr(), /1 requests were still in progress after the grace period and were cut/);
  });
});
