import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withPostgres } from '../support/postgres.js';
import { cli, serve, type Served } from '../support/serve.js';
import { openStream, type SseStream } from '../support/sse.js';
import { start, tempDir } from './harness.js';
import type { RequestLogEntry } from '../../server/http/request-log.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The live stream (issue 21) against real `serve` processes, on both stores: an award reaches the
 * pages showing its user, on another instance too; a page that reconnects with Last-Event-ID gets
 * exactly what it missed, or "reload" once the backlog no longer reaches back; a client accepting
 * gzip gets the events as they happen; SIGTERM ends the streams with a last event; streams are bounded.
 */

const write = async (server: Served, key: string, method: string, path: string, body: unknown) => {
  const response = await fetch(server.base + path, { method, headers: { 'content-type': 'application/json', authorization: key }, body: JSON.stringify(body) });
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${await response.text()}`);
};
const data = (e: { data: string }) => JSON.parse(e.data) as { type: string; user?: string; badge?: string; count?: number };
const isAward = (user: string, badge: string) => (e: { event: string; data: string }) => e.event === 'award' && data(e).user === user && data(e).badge === badge;

for (const kind of ['lowdb', 'postgres'] as const) {
  describe(`live streams from a serve process (${kind})`, () => {
    let server: Served;
    let key: string;
    const award = (user: string, ...badges: string[]) => write(server, key, 'PUT', `/v1/shop/users/${encodeURIComponent(user)}.json`, { badges });

    before(async () => {
      const where = kind === 'postgres' ? ['--database', await withPostgres()] : ['--data', join(await mkdtemp(join(tmpdir(), 'user-badges-live-')), 'db.json')];
      const created = await cli(['service', 'create', 'shop', ...where]);
      assert.equal(created.code, 0, created.stderr);
      key = JSON.parse(created.stdout).key;
      server = await serve([...where, '--no-seed'], { env: { LIVE_MAX_PER_IP: '3', LIVE_HEARTBEAT_MS: '300' } });
      await write(server, key, 'PUT', '/v1/shop/badges.json', { badges: [{ name: 'gold', type: 'gold' }, { name: 'silver' }] });
      await write(server, key, 'PUT', '/v1/shop/badges.json', { badges: Array.from({ length: 100 }, (_, i) => ({ name: `b${i}` })) });
    });
    after(() => server?.stop());

    test("an award reaches the streams showing its user, and only those; a badge's change reaches all", async () => {
      const ann = await openStream(`${server.base}/v1/shop/live?users=ann,cy`);
      const bob = await openStream(`${server.base}/v1/shop/live?users=bob`);
      assert.equal(ann.status, 200);
      assert.match(String(ann.headers['content-type']), /^text\/event-stream/);
      await ann.next('the opening retry', (e) => e.event === 'retry');
      await award('ann', 'gold', 'gold');
      const got = await ann.next('the award of gold to ann', isAward('ann', 'gold'));
      assert.deepEqual({ ...data(got), at: undefined }, { type: 'award', user: 'ann', badge: 'gold', count: 2, at: undefined });
      await write(server, key, 'PUT', '/v1/shop/badges.json', { badges: [{ name: 'silver', description: 'Shiny' }] });
      await bob.next("silver's change", (e) => e.event === 'badge' && data(e).badge === 'silver');
      assert.ok(!bob.events.some(isAward('ann', 'gold')), "bob's page is not told of ann's award");
      await write(server, key, 'DELETE', '/v1/shop/users/ann.json', { badges: ['gold'] });
      await ann.next('the revocation', (e) => e.event === 'revoke' && data(e).badge === 'gold');
      ann.close();
      bob.close();
    });

    test('a page reconnecting with Last-Event-ID gets exactly what it missed; heartbeats move its id on', async () => {
      const first = await openStream(`${server.base}/v1/shop/live?users=dee`);
      await award('dee', 'silver');
      const seen = await first.next("dee's silver", isAward('dee', 'silver'));
      first.close();
      await award('dee', 'gold');
      await award('eve', 'gold');
      await award('dee', 'silver');
      const again = await openStream(`${server.base}/v1/shop/live?users=dee`, { 'last-event-id': seen.id! });
      await again.next("dee's second silver", isAward('dee', 'silver'), 10_000, 1);
      const told = again.events.filter((e) => e.event === 'award');
      assert.deepEqual(told.map((e) => [data(e).user, data(e).badge]), [['dee', 'gold'], ['dee', 'silver']]);
      assert.deepEqual(told.map((e) => Number(e.id)), [Number(seen.id) + 1, Number(seen.id) + 3], 'numbered in commit order; eve\'s entry is skipped, not renumbered');
      const beat = await again.next('a heartbeat', (e) => e.event === 'id');
      assert.equal(beat.id, told[1]!.id);
      again.close();
    });

    test('a page further behind than the backlog is told to reload', async () => {
      const first = await openStream(`${server.base}/v1/shop/live?users=fay`);
      await award('fay', 'silver');
      const seen = await first.next("fay's silver", isAward('fay', 'silver'));
      first.close();
      // 100 entries a request: 1,100 are more than the backlog keeps.
      for (let i = 0; i < 11; i++) await award('gus', ...Array.from({ length: 100 }, (_, j) => `b${j}`));
      const again = await openStream(`${server.base}/v1/shop/live?users=fay`, { 'last-event-id': seen.id! });
      const reload = await again.next('reload', (e) => e.event === 'reload');
      assert.ok(Number(reload.id) >= Number(seen.id) + 1100);
      await award('fay', 'gold');
      await again.next('the next award after the reload', isAward('fay', 'gold'));
      again.close();
      const ahead = await openStream(`${server.base}/v1/shop/live`, { 'last-event-id': '999999999' });
      await ahead.next('reload, for an id this store never gave', (e) => e.event === 'reload');
      ahead.close();
    });

    test('a client accepting gzip gets each event as it happens, uncompressed', async () => {
      const stream = await openStream(`${server.base}/v1/shop/live?users=hal`, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(stream.headers['content-encoding'], undefined);
      assert.match(String(stream.headers['cache-control']), /no-transform/);
      await award('hal', 'silver');
      await stream.next("hal's silver, while the stream is open", isAward('hal', 'silver'));
      assert.match(stream.raw().toString('utf8'), /event: award/, 'plain text on the wire');
      stream.close();
    });

    test('streams are counted and bounded per address', async () => {
      const open = await Promise.all([1, 2, 3].map(() => openStream(`${server.base}/v1/shop/live`)));
      const refused = await fetch(`${server.base}/v1/shop/live`);
      assert.equal(refused.status, 429);
      const error = (await refused.json()).error;
      assert.equal(error.code, 'too_many_streams');
      assert.match(error.message, /LIVE_MAX_PER_IP/, 'the refusal names the setting behind it');
      open[0]!.close();
      let admitted: SseStream | undefined;
      for (let tries = 0; tries < 50 && admitted?.status !== 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        admitted?.close();
        admitted = await openStream(`${server.base}/v1/shop/live`);
      }
      assert.equal(admitted?.status, 200, 'a closed stream frees its place');
      for (const stream of [...open, admitted!]) stream.close();
    });
  });
}

describe('live streams across two instances on one PostgreSQL database', () => {
  let a: Served;
  let b: Served;
  let key: string;

  before(async () => {
    const database = await withPostgres();
    [a, b] = await Promise.all([serve(['--database', database, '--no-seed']), serve(['--database', database, '--no-seed'])]);
    const created = await cli(['service', 'create', 'shop', '--database', database]);
    assert.equal(created.code, 0, created.stderr);
    key = JSON.parse(created.stdout).key;
    await write(a, key, 'PUT', '/v1/shop/badges.json', { badges: [{ name: 'gold' }] });
  });
  after(() => Promise.all([a?.stop(), b?.stop()]));

  test("an award made on A is on B's stream, and B resumes from A's numbering", async () => {
    const onB = await openStream(`${b.base}/v1/shop/live?users=ann`);
    await onB.next('the opening retry', (e) => e.event === 'retry');
    await write(a, key, 'PUT', '/v1/shop/users/ann.json', { badges: ['gold'] });
    const seen = await onB.next("ann's gold, awarded on A", isAward('ann', 'gold'));
    onB.close();
    await write(b, key, 'PUT', '/v1/shop/users/ann.json', { badges: ['gold'] });
    await write(a, key, 'PUT', '/v1/shop/users/ann.json', { badges: ['gold'] });
    const onA = await openStream(`${a.base}/v1/shop/live?users=ann`, { 'last-event-id': seen.id! });
    await onA.next('the second missed award', (e) => e.event === 'award' && Number(e.id) === Number(seen.id) + 2);
    assert.deepEqual(onA.events.filter((e) => e.event === 'award').map((e) => Number(e.id)), [Number(seen.id) + 1, Number(seen.id) + 2]);
    onA.close();
  });
});

describe('SIGTERM with live streams open', () => {
  test('each stream gets a last "close" event and the server stops at once, not after the grace period', async (t) => {
    const dir = await tempDir(t);
    const server = await serve(['--data', join(dir, 'db.json')], { env: { SHUTDOWN_GRACE_MS: '60000' } });
    // The signal handlers are in place once the start is over (the demo seeded, the admin API told).
    for (let waited = 0; !/admin API/i.test(server.output()) && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const streams = await Promise.all([1, 2].map(() => openStream(`${server.base}/v1/demo/live?users=daniel`)));
    await streams[0]!.next('the opening retry', (e) => e.event === 'retry');
    const started = Date.now();
    const exited = server.stop();
    for (const stream of streams) {
      const last = await stream.next('the close event', (e) => e.event === 'close');
      assert.deepEqual(JSON.parse(last.data), { reason: 'shutdown' });
      await stream.ended;
    }
    assert.equal(await exited, 0);
    assert.ok(Date.now() - started < 30_000, `stopped in ${Date.now() - started} ms`);
  });
});

describe('live streams and the request machinery', () => {
  test('a stream is one line of the request log when it ends, takes nothing from the body budget, and the fast path leaves it to Koa', async (t) => {
    const logged: RequestLogEntry[] = [];
    // A budget for one small body: streams held meanwhile must not use it up.
    const h = await start({ config: { requestLog: (entry) => logged.push(entry), bodyBudgetBytes: 4096, fastReads: true } });
    t.after(() => h.close());
    const streams = await Promise.all([1, 2, 3].map(() => openStream(`${h.base}/v1/demo/live?users=daniel`)));
    await streams[0]!.next('the opening retry', (e) => e.event === 'retry');
    const write = await h.request('PUT', '/v1/demo/users/daniel.json', { body: { badges: ['popular'] }, headers: { authorization: h.key } });
    assert.equal(write.status, 200, write.text);
    await streams[0]!.next("daniel's award", isAward('daniel', 'popular'));
    assert.ok(!logged.some((entry) => entry.path === '/v1/demo/live'), 'no line while the streams are open');
    for (const stream of streams) stream.close();
    for (let waited = 0; logged.filter((entry) => entry.path === '/v1/demo/live').length < 3 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = logged.filter((entry) => entry.path === '/v1/demo/live');
    assert.equal(lines.length, 3);
    assert.ok(lines.every((entry) => entry.status === 200 && entry.aborted === true), JSON.stringify(lines));
  });

  test("one service's many streams leave room for another's: the last tenth is kept for services holding few", async (t) => {
    // 40 streams at most on the server, 40 for one service: without the reserve "demo" would take them all.
    const h = await start({ config: { live: { maxStreams: 40, perService: 40, perIp: 1000 } } });
    t.after(() => h.close());
    await h.domain.createService('other', 'other-secret-key');
    const held: SseStream[] = [];
    t.after(() => held.forEach((stream) => stream.close()));
    let refused: Response | undefined;
    while (!refused && held.length < 40) {
      const stream = await openStream(`${h.base}/v1/demo/live`);
      if (stream.status === 200) held.push(stream);
      else refused = await fetch(`${h.base}/v1/demo/live`);
    }
    assert.equal(held.length, 36, 'the busy service stops short of the last tenth');
    assert.equal(refused?.status, 503);
    assert.equal((await refused!.json()).error.code, 'busy');
    const small = await openStream(`${h.base}/v1/other/live?users=ann`);
    assert.equal(small.status, 200, 'the other service still gets its stream');
    held.push(small);
  });
});
