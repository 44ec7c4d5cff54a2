import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { openStore } from '../../server/app/open-store.js';
import { start, tempDir, type Harness } from './harness.js';

const TOKEN = 'operator-token-for-tests-0123456789';

describe('the admin API for services (issue 7.10)', () => {
  let h: Harness;
  const admin = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
  before(async () => (h = await start({ config: { adminToken: TOKEN } })));
  after(() => h.close());

  test('create, list, rotate the key, change a setting and delete, while the server runs', async () => {
    const created = await h.request('POST', '/admin/services', { headers: admin(), body: { name: 'topchefs' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.name, 'topchefs');
    assert.equal(created.json.legacySignatures, true);
    assert.match(created.json.key, /^[0-9a-f]{64}$/);
    const key = created.json.key;

    // The new service works at once, with its key.
    assert.equal((await h.request('PUT', '/v1/topchefs/badges.json', { headers: { authorization: key }, body: { badges: [{ name: 'chef' }] } })).status, 200);

    const listed = await h.request('GET', '/admin/services', { headers: admin() });
    assert.deepEqual(listed.json.services.map((s: { name: string }) => s.name).sort(), ['demo', 'topchefs']);
    assert.equal(listed.text.includes(key), false, 'a list never shows keys');
    assert.equal(listed.text.includes(h.key), false);

    const rotated = await h.request('POST', '/admin/services/topchefs/key', { headers: admin() });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.json.key, key);
    assert.equal((await h.request('PUT', '/v1/topchefs/badges.json', { headers: { authorization: key }, body: { badges: [{ name: 'chef' }] } })).status, 401, 'the old key stops working');
    assert.equal((await h.request('PUT', '/v1/topchefs/badges.json', { headers: { authorization: rotated.json.key }, body: { badges: [{ name: 'chef' }] } })).status, 200);

    // Shown again, to the operator only, and kept by no cache (issue 12.2).
    const shown = await h.request('GET', '/admin/services/topchefs/key', { headers: admin() });
    assert.deepEqual([shown.status, shown.json.key, shown.headers.get('cache-control'), shown.headers.get('etag')], [200, rotated.json.key, 'no-store', null]);
    assert.equal((await h.request('GET', '/admin/services/topchefs/key', { headers: { authorization: rotated.json.key } })).status, 401);

    const off = await h.request('PATCH', '/admin/services/topchefs', { headers: admin(), body: { legacySignatures: false } });
    assert.deepEqual([off.status, off.json.legacySignatures], [200, false]);
    assert.equal((await h.request('GET', '/admin/services/topchefs', { headers: admin() })).json.legacySignatures, false);

    const deleted = await h.request('DELETE', '/admin/services/topchefs', { headers: admin() });
    assert.deepEqual([deleted.status, deleted.json], [200, { name: 'topchefs', deleted: true }]);
    assert.equal((await h.request('GET', '/v1/topchefs/badges.json')).status, 404);
    assert.equal((await h.request('DELETE', '/admin/services/topchefs', { headers: admin() })).status, 404);

    // Without a token configured there is no admin API at all.
    const plain = await start();
    try {
      assert.equal((await plain.request('GET', '/admin/services', { headers: admin() })).status, 404);
    } finally {
      await plain.close();
    }
  });

  test('a service created with legacy signatures off', async () => {
    const created = await h.request('POST', '/admin/services', { headers: admin(), body: { name: 'strict', legacySignatures: false } });
    assert.deepEqual([created.status, created.json.legacySignatures], [201, false]);
  });

  const refused: [string, string, string, Record<string, string>, unknown, number, string][] = [
    ['no token', 'GET', '/admin/services', {}, undefined, 401, 'missing_credentials'],
    ['a wrong token', 'GET', '/admin/services', { authorization: 'Bearer wrong' }, undefined, 401, 'invalid_admin_token'],
    ['a service key instead of the token', 'POST', '/admin/services', { authorization: 'KEY' }, { name: 'sneaky' }, 401, 'invalid_admin_token'],
    ['the token in the URL', 'GET', '/admin/services?token=' + TOKEN, admin(), undefined, 400, 'key_in_url'],
    ['an existing name', 'POST', '/admin/services', admin(), { name: 'demo' }, 409, 'service_exists'],
    ['an invalid name', 'POST', '/admin/services', admin(), { name: '../evil' }, 400, 'invalid_service_name'],
    ['an unknown field', 'POST', '/admin/services', admin(), { name: 'x', key: 'chosen' }, 400, 'invalid_body'],
    ['a setting that is not a boolean', 'PATCH', '/admin/services/demo', admin(), { legacySignatures: 'no' }, 400, 'invalid_body'],
    ['rotating the key of nothing', 'POST', '/admin/services/ghost/key', admin(), undefined, 404, 'service_not_found'],
    ['an unsupported method', 'PUT', '/admin/services/demo', admin(), { legacySignatures: false }, 405, 'method_not_allowed'],
  ];
  for (const [name, method, path, headers, body, status, code] of refused) {
    test(`${name}: ${status} ${code}`, async () => {
      const r = await h.request(method, path, { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'KEY' ? h.key : v])), body });
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.error.code, code);
      assert.equal((await h.request('GET', '/v1/sneaky/badges.json')).status, 404);
    });
  }
});

describe('deleting a service in the file store', () => {
  test('is durable, and a service created again under the name starts empty', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const store = await openStore({ file, seed: true });
    await composeDomain(store).createService('gone', 'k1');
    await composeDomain(store).putBadges('gone', [{ name: 'old', fields: {} }]);
    for (let i = 0; i < 50; i++) await composeDomain(store).award('gone', `old-user-${i}`, ['old'], new Date());
    await store.close();

    const second = await openStore({ file });
    await composeDomain(second).deleteService('gone');
    await composeDomain(second).createService('gone', 'k2');
    await composeDomain(second).putBadges('gone', [{ name: 'new', fields: {} }]);
    await composeDomain(second).award('gone', 'new-user', ['new'], new Date());
    // No close: the journal alone holds the deletion, as after kill -9.
    const third = await openStore({ file });
    const check = async (s: typeof third) => {
      assert.deepEqual((await s.listUsers('gone', { offset: 0, limit: 100 })).users.map((u) => u.name), ['new-user']);
      assert.deepEqual((await s.listBadges('gone')).map((b) => b.name), ['new']);
      assert.equal((await s.getService('gone'))!.key, 'k2');
    };
    await check(third);
    await third.close();
    const fourth = await openStore({ file });
    await check(fourth);
    await composeDomain(fourth).deleteService('gone');
    await fourth.close();
    const fifth = await openStore({ file });
    assert.equal(await fifth.getService('gone'), undefined);
    assert.deepEqual((await fifth.listServices()).map((s) => s.name), ['demo']);
    await fifth.close();
  });
});
