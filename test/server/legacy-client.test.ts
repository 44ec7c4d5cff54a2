import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * The original UserBadges Node client (danielgtaylor/userbadges-node 0.1.4), as it talks to a
 * server: it signs hex(SHA1(secret + ts + path + body)) over the path as written (not encoded),
 * sends the path percent-encoded with ?ts=&signature=, a list of names as repeated `names=`, and
 * throws from its callback on any status but 200. Reproduced here rather than installed: it needs
 * restler and CoffeeScript, and these lines are all of its protocol.
 */
class OriginalClient {
  constructor(
    private readonly secret: string,
    private readonly endpoint: string,
    private readonly clock: () => number,
  ) {}

  addServiceBadges(o: { service: string; badges: object[] }) {
    return this.signed('PUT', `/v1/${o.service}/badges.json`, JSON.stringify({ badges: o.badges }));
  }
  addUserBadges(o: { service: string; user: string; badges: string[] }) {
    return this.signed('PUT', `/v1/${o.service}/users/${o.user}.json`, JSON.stringify({ badges: o.badges }));
  }
  delUserBadges(o: { service: string; user: string; badges: string[] }) {
    return this.signed('DELETE', `/v1/${o.service}/users/${o.user}.json`, JSON.stringify({ badges: o.badges }));
  }
  async getUsers(o: { service: string; names: string[] }) {
    const query = o.names.map((n) => `names=${encodeURIComponent(n)}`).join('&');
    return this.complete(await fetch(`${this.endpoint}/v1/${o.service}/users.json?${query}`));
  }

  /** The signing of the original: two lines. */
  signature(path: string, body: string) {
    const ts = Math.floor(this.clock() / 1000);
    return { ts, signature: createHash('sha1').update(this.secret + ts + path + body).digest('hex') };
  }

  async signed(method: string, path: string, body: string, type = 'application/json') {
    const { ts, signature } = this.signature(path, body);
    const url = `${this.endpoint}${encodeURI(path)}?ts=${ts}&signature=${signature}`;
    return this.complete(await fetch(url, { method, body, headers: { 'Content-Type': type } }));
  }

  /** Its callback: `throw "#{response.statusCode}: #{data}"` unless 200. */
  private async complete(response: Response) {
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${response.status}: ${text}`);
    return { data: JSON.parse(text), replay: response.headers.get('x-replay') };
  }
}

describe('the original UserBadges Node client, unmodified (issue 7)', () => {
  let h: Harness;
  let client: OriginalClient;
  let now = Date.UTC(2026, 10, 29, 12, 0, 0, 100);
  const count = async (user: string, badge: string) =>
    (await h.request('GET', `/v1/demo/users/${encodeURIComponent(user)}.json`)).json?.badges?.find((b: { name: string }) => b.name === badge)?.count ?? 0;

  before(async () => {
    h = await start({ config: { now: () => now } });
    now += 5_000;
    client = new OriginalClient(h.key, h.base, () => now);
  });
  after(() => h.close());

  test('two identical awards in the same second both succeed: the second gets the first answer again, marked, and awards nothing', async () => {
    now += 1_000;
    const before = await count('daniel', 'commenter');
    const first = await client.addUserBadges({ service: 'demo', user: 'daniel', badges: ['commenter'] });
    const second = await client.addUserBadges({ service: 'demo', user: 'daniel', badges: ['commenter'] });
    assert.equal(first.replay, null);
    assert.equal(second.replay, 'true');
    assert.deepEqual(second.data, first.data);
    assert.equal(await count('daniel', 'commenter'), before + 1);
    // Its signature does not cover the method: the memory binds it, so the same signature as a DELETE is refused.
    await assert.rejects(client.delUserBadges({ service: 'demo', user: 'daniel', badges: ['commenter'] }), /^Error: 401: .*replayed_signature/);
    assert.equal(await count('daniel', 'commenter'), before + 1, 'the award stays');
  });

  test('the same holds when the two are in flight at once', async () => {
    now += 1_000;
    const before = await count('bob', 'popular');
    const answers = await Promise.all([1, 2, 3].map(() => client.addUserBadges({ service: 'demo', user: 'bob', badges: ['popular'] })));
    assert.deepEqual(answers.map((a) => a.replay).sort(), [null, 'true', 'true']);
    assert.equal(await count('bob', 'popular'), before + 1);
  });

  test('user names that need percent-encoding ("John Smith", "Zoë") are signed as written and accepted', async () => {
    now += 1_000;
    for (const user of ['John Smith', 'Zoë', '100% sure']) {
      const { data } = await client.addUserBadges({ service: 'demo', user, badges: ['popular'] });
      assert.deepEqual(data.user, { name: user, badges: ['popular'] });
    }
    // In the same second the revoke's signature would equal the award's (SHA1 does not cover the method).
    now += 1_000;
    const { data } = await client.delUserBadges({ service: 'demo', user: 'John Smith', badges: ['popular'] });
    assert.deepEqual(data.user, { name: 'John Smith', badges: [] });
  });

  test('getUsers with a list of names (names=a&names=b) answers all of them', async () => {
    const { data } = await client.getUsers({ service: 'demo', names: ['daniel', 'bob'] });
    assert.deepEqual(data.users.map((u: { name: string }) => u.name), ['daniel', 'bob']);
  });

  test('addServiceBadges, with a GET -> change -> PUT round trip of a badge', async () => {
    now += 1_000;
    const badge = (await h.request('GET', '/v1/demo/badges.json')).json.badges.find((b: { name: string }) => b.name === 'popular');
    const { data } = await client.addServiceBadges({ service: 'demo', badges: [{ ...badge, description: 'Seen 100 times' }] });
    assert.equal(data.badges.find((b: { name: string }) => b.name === 'popular').description, 'Seen 100 times');
  });

  test('a signature spent on a request refused for its body (415) cannot be replayed as a DELETE (issue 14.6)', async () => {
    now += 1_000;
    const body = JSON.stringify({ badges: ['donated'] });
    const path = '/v1/demo/users/daniel.json';
    const { ts, signature } = client.signature(path, body);
    const before = await count('daniel', 'donated');
    const refused = await h.request('PUT', `${path}?ts=${ts}&signature=${signature}`, { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(refused.status, 415);
    const replay = await h.request('DELETE', `${path}?ts=${ts}&signature=${signature}`, { raw: body });
    assert.equal(replay.status, 401);
    assert.equal(replay.json.error.code, 'replayed_signature');
    assert.equal(await count('daniel', 'donated'), before);
    // The identical request again gets the answer the signature was spent on.
    const again = await h.request('PUT', `${path}?ts=${ts}&signature=${signature}`, { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual([again.status, again.headers.get('x-replay'), again.text], [415, 'true', refused.text]);
  });
});
