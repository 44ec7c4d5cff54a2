import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BodyBudget, peerOf } from '../../server/http/body.js';
import { within } from '../support/deadline.js';
import { start, type Harness } from './harness.js';
import { rawRequest, type RawRequest, type RawResponse } from './raw-http.js';

/**
 * Bodies still arriving share one budget (issue 18.1): a body holds what has arrived of it, one
 * client address holds at most its share, and a request that can be refused by its path or headers
 * is refused before its body is read. Two clients, told apart by their address (127.0.0.1 and
 * 127.0.0.2), and two services side by side.
 */

const A = '127.0.0.1';
const B = '127.0.0.2';

const portOf = (h: Harness) => Number(new URL(h.base).port);

/** A POST whose headers and `sent` bytes of a chunked body have arrived, and then nothing. */
async function stalledChunked(h: Harness, path: string, headers: string, sent: number, from = A): Promise<RawRequest> {
  const request = rawRequest(portOf(h), `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n${headers}\r\n`, { from });
  await request.connected;
  if (sent > 0) await request.send(`${sent.toString(16)}\r\n${' '.repeat(sent)}\r\n`);
  return request;
}

/** A whole request from `from`, on a connection of its own. */
async function send(h: Harness, method: string, path: string, body: string, headers = '', from = B): Promise<RawResponse> {
  const request = rawRequest(portOf(h), `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${headers}\r\n${body}`, { from });
  const response = await within(request.response, 30_000, `${method} ${path} from ${from}`);
  assert.ok(response, `${method} ${path} from ${from}: the connection closed without an answer`);
  return response;
}

async function withOther(h: Harness): Promise<string> {
  const other = await h.domain.createService('other', 'other-key');
  await h.domain.putBadges('other', [{ name: 'b', fields: {} }]);
  return other.key;
}

describe('the body budget (issue 18.1)', () => {
  test('BodyBudget counts bytes per peer and in all; IPv6 addresses of one /64 are one peer', () => {
    const budget = new BodyBudget(100, 60);
    assert.equal(budget.take('a', 60), true);
    assert.equal(budget.take('a', 1), false, "beyond a's share");
    assert.equal(budget.take('b', 40), true);
    assert.equal(budget.take('c', 1), false, 'beyond the whole budget');
    budget.give('a', 60);
    assert.deepEqual([budget.used, budget.usedBy('a'), budget.usedBy('b')], [40, 0, 40]);
    assert.equal(peerOf('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(peerOf('2001:db8:0:1::5'), peerOf('2001:db8:0:1:ffff:1:2:3'));
    assert.notEqual(peerOf('2001:db8:0:1::5'), peerOf('2001:db8:0:2::5'));
  });

  test("40 stalled chunked event bodies (each may grow to 1 MB) leave every other write working, the same client's too", async (t) => {
    const h = await start();
    const stalled: RawRequest[] = [];
    t.after(async () => {
      for (const request of stalled) request.socket.destroy();
      await h.close();
    });
    const otherKey = await withOther(h);
    // Before: each reserved the route's 1 MB from the 16 MB budget, and the 17th made every body a 503.
    for (let i = 0; i < 40; i++) stalled.push(await stalledChunked(h, '/v1/demo/events.json', `Authorization: ${h.key}\r\n`, 10));
    const award = JSON.stringify({ badges: ['b'] });
    for (const [from, label] of [[B, 'another client'], [A, 'the same client']] as const) {
      const other = await send(h, 'PUT', '/v1/other/users/ann.json', award, `Authorization: ${otherKey}\r\n`, from);
      assert.equal(other.status, 200, `${label}, another service: ${other.body}`);
      const demo = await send(h, 'PUT', '/v1/demo/users/ann.json', JSON.stringify({ badges: ['popular'] }), `Authorization: ${h.key}\r\n`, from);
      assert.equal(demo.status, 200, `${label}, the same service: ${demo.body}`);
    }
    assert.equal(stalled.filter((r) => r.socket.closed).length, 0, 'the stalled bodies are still waiting (not refused)');
  });

  test("one client's stalled bodies take at most its share: its next body is a 503, another client's is taken", async (t) => {
    const h = await start({ config: { bodyBudgetBytes: 2_000_000, bodyPeerBudgetBytes: 1_000_000 } });
    const stalled: RawRequest[] = [];
    t.after(async () => {
      for (const request of stalled) request.socket.destroy();
      await h.close();
    });
    const otherKey = await withOther(h);
    // 30 bodies of 90 KB each would hold 2.7 MB: the first eleven fit in A's 1 MB share.
    for (let i = 0; i < 30; i++) stalled.push(await stalledChunked(h, '/v1/demo/events.json', `Authorization: ${h.key}\r\n`, 90_000));
    const refused = (await Promise.all(stalled.map((r) => within(Promise.race([r.response, new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000))]), 10_000, 'a stalled body'))))
      .filter((response) => response !== null);
    assert.ok(refused.length >= 18, `A's bodies beyond its share are refused (${refused.length} of 30)`);
    for (const response of refused) {
      assert.equal(response!.status, 503);
      assert.equal(JSON.parse(response!.body).error.code, 'busy');
      assert.match(JSON.parse(response!.body).error.message, /BODY_PEER_BUDGET_BYTES/, 'the refusal names the setting behind it');
    }
    // B sends 600 KB of events while A's bodies stall: the budget has room for it, A's share is spent.
    const events = JSON.stringify({ events: Array.from({ length: 1000 }, (_, i) => ({ eventType: { source: 's', type: 't', action: 'a' }, id: `e${i}`, user: 'ann', preview: 'x'.repeat(550) })) });
    assert.ok(events.length > 600_000);
    const big = await send(h, 'POST', '/v1/other/events.json', events, `Authorization: ${otherKey}\r\n`, B);
    assert.equal(big.status, 200, big.body.slice(0, 300));
    // A holds 990 KB of its 1 MB: a body of 50 KB more does not fit, whatever service it is for.
    const fromA = await send(h, 'PUT', '/v1/other/users/bob.json', `${' '.repeat(50_000)}{"badges":["b"]}`, `Authorization: ${otherKey}\r\n`, A);
    assert.equal(fromA.status, 503, "A's share is spent while its bodies stall");
  });

  test('a request refused by its path or headers is answered before its body arrives', async (t) => {
    const h = await start();
    t.after(() => h.close());
    await withOther(h);
    const ts = Math.floor(Date.now() / 1000);
    const cases: [string, string, string, number, string][] = [
      ['a GetBadges token no integration has', '/v0/event/log/demo.abcdef123456.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '', 404, 'integration_not_found'],
      ['a GetBadges token of no service', '/v0/event/log/ghost.abcdef123456.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '', 404, 'service_not_found'],
      ['no credentials', '/v1/other/events.json', '', 401, 'missing_credentials'],
      ['a wrong key', '/v1/other/events.json', 'Authorization: wrong\r\n', 401, 'invalid_key'],
      ['an unknown service', '/v1/ghost/events.json', 'Authorization: wrong\r\n', 404, 'service_not_found'],
      ['a signature with a stale ts', `/v1/other/events.json?ts=${ts - 3600}&nonce=abcdefgh12&signature=${'a'.repeat(64)}`, '', 401, 'expired_ts'],
      ['a signature of an unknown scoped key', `/v1/other/events.json?ts=${ts}&nonce=abcdefgh12&signature=${'a'.repeat(64)}&key_id=key_aaaaaaaaaaaaaaaaaaaa`, '', 401, 'invalid_key'],
    ];
    for (const [what, path, headers, status, code] of cases) {
      const request = rawRequest(portOf(h), `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n${headers}\r\n`);
      const response = await within(request.response, 5000, `${what}: an answer before the body`);
      request.socket.destroy();
      assert.equal(response?.status, status, what);
      assert.equal(JSON.parse(response!.body).error.code, code, what);
    }
  });
});
