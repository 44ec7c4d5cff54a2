import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
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

  test('SIGTERM under steady load: 50 clients writing in a loop over keep-alive connections see no error, each stops at an answer with Connection: close, and every acknowledged write is kept', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const server = await serve(['--data', file, '--no-seed'], { env: { SHUTDOWN_GRACE_MS: '20000', REQUEST_LOG: 'off' } });
    t.after(() => server.child.kill('SIGKILL'));
    const badge = '{"badges":[{"name":"b"}]}';
    const setup = rawRequest(server.port, putHead('/v1/test/badges.json', badge.length, 'Connection: close\r\n') + badge);
    assert.equal((await setup.response)?.status, 200);

    const put = (agent: Agent, user: string) =>
      new Promise<{ status: number; close: boolean }>((resolve, reject) => {
        const req = request({ agent, host: '127.0.0.1', port: server.port, method: 'PUT', path: `/v1/test/users/${user}.json`, headers: { 'content-type': 'application/json', 'content-length': award.length } }, (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0, close: res.headers.connection === 'close' }));
          res.once('error', reject);
        });
        req.once('error', reject);
        req.end(award);
      });
    const acknowledged = new Map<string, number>();
    const errors: string[] = [];
    let started = 0;
    const clients = Array.from({ length: 50 }, async (_, i) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const user = `c${i}`;
      try {
        for (;;) {
          const answer = await put(agent, user).catch((error: Error) => {
            errors.push(`${user}: ${error.message}`);
            return null;
          });
          if (!answer) return;
          // SIGTERM right as answers arrive: their clients' next requests are then on their way.
          if (++started === 500) server.child.kill('SIGTERM');
          if (answer.status === 200) acknowledged.set(user, (acknowledged.get(user) ?? 0) + 1);
          else errors.push(`${user}: ${answer.status}`);
          if (answer.close) return;
        }
      } finally {
        agent.destroy();
      }
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(clients), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('clients still writing 60 s after SIGTERM')), 60_000)))]);
    clearTimeout(timer);
    t.diagnostic(`${started} answers, ${errors.length} errors`);
    assert.deepEqual(errors, [], `${errors.length} client errors`);
    assert.deepEqual(await server.exited, { code: 0, signal: null });

    const again = await serve(['--data', file, '--no-seed']);
    t.after(() => again.child.kill('SIGKILL'));
    const names = [...acknowledged.keys()];
    const { users } = await (await fetch(`${again.base}/v1/test/users.json?names=${names.join(',')}`)).json();
    const kept = new Map(users.map((u: { name: string; badges: { count: number }[] }) => [u.name, u.badges[0]!.count]));
    for (const [name, count] of acknowledged) assert.ok((kept.get(name) as number) >= count, `${name}: ${count} acknowledged, ${kept.get(name)} kept`);
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
