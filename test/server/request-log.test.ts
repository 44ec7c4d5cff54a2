import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RequestLogEntry } from '../../server/http/request-log.js';
import { serve } from '../support/serve.js';
import { start, tempDir } from './harness.js';
import { rawRequest } from './raw-http.js';

describe('the request log (issue 12.3)', () => {
  test('one entry per request, Koa and fast path alike, with the error code and never the query', async () => {
    const entries: RequestLogEntry[] = [];
    const h = await start({ config: { requestLog: (entry) => entries.push(entry) } });
    try {
      const cases: [string, string, Record<string, string>, Partial<RequestLogEntry>][] = [
        ['GET', '/v1/demo/users.json?names=daniel', {}, { status: 200 }],
        ['GET', '/v1/demo/badges.json', {}, { status: 200 }],
        ['PUT', '/v1/demo/users/daniel.json', { authorization: 'wrong' }, { status: 401, code: 'invalid_key' }],
        ['GET', '/v1/ghost/badges.json', {}, { status: 404, code: 'service_not_found' }],
        ['GET', '/nowhere', {}, { status: 404, code: 'not_found' }],
        ['GET', '/v1/demo/badges.json?api_key=s3cret-value', {}, { status: 400, code: 'key_in_url' }],
        ['PUT', '/v1/demo/users/bob.json?ts=1&nonce=abcdefgh&signature=deadbeefcafe', {}, { status: 401, code: 'invalid_signature' }],
        // GetBadges' URL: the token's secret is its last part.
        ['POST', '/v0/event/log/demo.abcdef123456.s3cretTokenPart', {}, { status: 404 }],
      ];
      for (const [method, path, headers] of cases) {
        await h.request(method, path, { headers, body: method === 'PUT' ? { badges: ['popular'] } : method === 'POST' ? { version: 0 } : undefined });
      }
      // The entry is made when the connection's answer is done: give the last one a turn.
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(entries.length, cases.length, JSON.stringify(entries));
      cases.forEach(([method, url, , expected], i) => {
        const { ms, ...entry } = entries[i]!;
        assert.deepEqual({ ...entry, code: undefined }, { method, path: url.split('?')[0]!.replace(/s3cretTokenPart$/, '***'), ...expected, code: undefined });
        assert.equal(entry.code, expected.code ?? entry.code);
        assert.ok(ms >= 0 && ms < 5000);
      });
      const text = JSON.stringify(entries);
      assert.equal(text.includes('s3cret'), false, 'no credential from a URL');
      assert.equal(text.includes('deadbeef'), false, 'no signature');
      assert.equal(text.includes('daniel,'), false);
    } finally {
      await h.close();
    }
  });

  test('serve prints one JSON line per request on stdout', async (t) => {
    const served = await serve(['--data', join(await tempDir(t), 'db.json'), '--no-seed']);
    try {
      await fetch(`${served.base}/v1/nobody/badges.json`);
      await fetch(`${served.base}/health`);
      let lines: Record<string, unknown>[] = [];
      for (let i = 0; i < 200 && lines.length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        lines = served.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
      }
      assert.deepEqual(
        lines.map(({ method, path, status, code }) => ({ method, path, status, code })),
        [
          { method: 'GET', path: '/v1/nobody/badges.json', status: 404, code: 'service_not_found' },
          { method: 'GET', path: '/health', status: 200, code: undefined },
        ],
      );
      assert.match(String(lines[0]!.time), /^\d{4}-\d\d-\d\dT/);
      assert.equal(typeof lines[0]!.ms, 'number');
    } finally {
      await served.stop();
    }
  });
});

describe('no secret in any log (issue 18.9)', () => {
  test("GetBadges' token under every spelling of its path, a failure of its route and a sender that drops mid-upload: never logged, and no stack", async (t) => {
    const entries: RequestLogEntry[] = [];
    const logged: string[] = [];
    const h = await start({
      config: {
        requestLog: (entry) => entries.push(entry),
        log: (message, error) => logged.push(`${message} ${error instanceof Error ? error.stack : String(error ?? '')}`),
      },
    });
    t.after(() => h.close());
    const made = await h.request('POST', '/v1/demo/integrations.json', { body: { name: 'gitlab' }, headers: { authorization: h.key } });
    const token: string = made.json.token;
    const secret = token.split('.')[2]!;
    const encoded = [...secret].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    const event = [{ version: 0, email: 'nobody@example.org', type: 'x', source: 's', action: 'a' }];
    const spellings = [
      `/v0/event/log/${token}`,
      `/V0/EVENT/LOG/${token}`,
      `/v0/event/log/${token.replaceAll('.', '%2E')}`,
      `/v0/event/log/${token.replaceAll('.', '%2e')}`,
      `//v0/event/log/${token}`,
      `/v0//event///log/${token}`,
      `/v0/./event/log/${token}`,
      `/v0/event/log/${token.split('.').slice(0, 2).join('.')}.${encoded}`,
      `/v0%2Fevent%2Flog%2F${token}`,
      `/v0/event/log/${token}/`,
    ];
    for (const path of spellings) await h.request('POST', path, { body: event });

    // The route fails (its store read throws): the error is logged, with the path as the log shows it.
    const getItem = h.store.getItem.bind(h.store);
    h.store.getItem = async () => {
      throw new Error('the store broke');
    };
    const failed = await h.request('POST', `/V0/event/log/${token}`, { body: event });
    h.store.getItem = getItem;
    assert.equal(failed.status, 500);

    // A sender that drops mid-upload: one request-log line (aborted), nothing on the error log.
    const before = entries.length;
    const dropping = rawRequest(Number(new URL(h.base).port), `POST /V0/event/log/${token} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n[{"version":0`);
    await dropping.connected;
    await new Promise((resolve) => setTimeout(resolve, 100));
    dropping.socket.destroy();
    for (let i = 0; i < 100 && entries.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(entries.length - before, 1, `one line for the dropped upload: ${JSON.stringify(entries.slice(before))}`);
    assert.equal(entries.at(-1)!.aborted, true);

    assert.equal(entries.length, 1 + spellings.length + 2, "the integration, each spelling, the failure, the drop");
    const everything = [...entries.map((e) => e.path), ...logged];
    for (const text of everything) {
      let decoded = text;
      for (let i = 0; i < 3; i++) decoded = decodeURIComponent(decoded.replace(/%(?![0-9a-f]{2})/gi, '%25'));
      assert.ok(!text.toLowerCase().includes(secret.toLowerCase()) && !decoded.toLowerCase().includes(secret.toLowerCase()), `a secret in the log: ${text}`);
    }
    assert.equal(logged.length, 1, `only the failure is on the error log: ${logged.join('\n---\n')}`);
    assert.match(logged[0]!, /^POST \/v0\/event\/log\/demo\.[0-9a-f]{12}\.\*\*\* failed Error: the store broke/);
  });
});

test('REQUEST_LOG=off keeps serve quiet per request, and a typo in it stops the start', async () => {
  const { serve, cli } = await import('../support/serve.js');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'user-badges-log-'));
  try {
    const server = await serve(['--data', join(dir, 'db.json'), '--no-seed'], { env: { REQUEST_LOG: 'off' } });
    await fetch(server.base + '/v1/nobody/badges.json');
    await fetch(server.base + '/health');
    await server.stop();
    assert.doesNotMatch(server.output(), /"path":/);
    const typo = await cli(['serve', '--data', join(dir, 'db.json')], { REQUEST_LOG: 'maybe' });
    assert.notEqual(typo.code, 0);
    assert.match(typo.stderr, /REQUEST_LOG must be on or off/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
