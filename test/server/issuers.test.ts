import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * Issuers and programs (BadgeKit's): the service is the default issuer; a badge belongs to at most
 * one program or issuer, checked on every write; lists filter by them; what things belong to cannot
 * be deleted. Two services side by side: neither sees nor names the other's issuers.
 */

const KEY = 'shop-key-0123456789';
const NEWS_KEY = 'news-key-0123456789';

describe('issuers and programs', () => {
  let h: Harness;
  const as = { authorization: KEY };
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = as) => h.request(method, `/v1/shop${path}`, { body, headers });
  const names = (r: { json: { badges: { name: string }[] } }) => r.json.badges.map((b) => b.name).sort();

  before(async () => {
    h = await start();
    await h.domain.createService('shop', KEY);
    await h.domain.createService('news', NEWS_KEY);
  });
  after(() => h.close());

  test('the service is the default issuer until it is given a profile; dropping the profile makes it the service again', async () => {
    const listed = await call('GET', '/issuers.json', undefined, {});
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json.issuers.map((i: { id: string; name: string; implicit?: true }) => [i.id, i.name, i.implicit]), [['default', 'shop', true]]);
    const put = await call('PUT', '/issuers/default.json', { name: 'The Shop', url: 'https://shop.example.org' });
    assert.equal(put.status, 200, put.text);
    const one = await call('GET', '/issuers/default.json', undefined, {});
    assert.deepEqual([one.json.name, one.json.url, one.json.implicit], ['The Shop', 'https://shop.example.org', undefined]);
    assert.equal((await call('DELETE', '/issuers/default.json')).status, 200);
    assert.equal((await call('GET', '/issuers/default.json', undefined, {})).json.implicit, true);
    assert.equal((await call('DELETE', '/issuers/default.json')).json.error.code, 'issuer_not_found');
  });

  test('issuers and programs are made, read and checked; every refusal says what', async () => {
    const made = await call('PUT', '/issuers/chipublib.json', { name: 'Chicago Public Library', url: 'https://chipublib.example.org', email: ' Badges@ChiPubLib.example.org ', description: 'Books' });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.json.email, 'badges@chipublib.example.org');
    const program = await call('PUT', '/programs/summer.json', { issuer: 'chipublib', name: 'Summer of Learning' });
    assert.equal(program.status, 200, program.text);
    assert.deepEqual([program.json.id, program.json.issuer], ['summer', 'chipublib']);
    assert.equal((await call('PUT', '/programs/own.json', { name: "The shop's own" })).json.issuer, 'default', 'a program without issuer is the service\'s');
    const cases: [string, string, unknown, number, string][] = [
      ['PUT', '/issuers/Not%20A%20Slug.json', { name: 'x' }, 400, 'invalid_issuer_id'],
      ['PUT', '/issuers/x.json', { name: 'x', url: 'ftp://example.org' }, 400, 'invalid_url'],
      ['PUT', '/issuers/x.json', { name: 'x', email: 'nobody' }, 400, 'invalid_email'],
      ['PUT', '/issuers/x.json', { name: '' }, 400, 'invalid_name'],
      ['PUT', '/issuers/x.json', { title: 'x' }, 400, 'invalid_body'],
      ['PUT', '/programs/p.json', { issuer: 'nobody', name: 'p' }, 400, 'unknown_issuer'],
      ['GET', '/issuers/nobody.json', undefined, 404, 'issuer_not_found'],
      ['GET', '/programs/nothing.json', undefined, 404, 'program_not_found'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const r = await call(method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.json.error.code, code, `${method} ${path}`);
    }
    assert.deepEqual((await call('GET', '/programs.json?issuer=chipublib', undefined, {})).json.programs.map((p: { id: string }) => p.id), ['summer']);
    assert.deepEqual((await call('GET', '/programs.json', undefined, {})).json.programs.map((p: { id: string }) => p.id), ['summer', 'own']);
  });

  test('a badge belongs to a program (and so its issuer) or an issuer: checked when written, filtered by in lists', async () => {
    const put = await call('PUT', '/badges.json', {
      badges: [
        { name: 'reader', program: 'summer', criteria: { narrative: 'Read **five** books', items: [{ id: 'five', description: 'Read five books', required: true }] }, auto_award: true },
        { name: 'visitor', issuer: 'chipublib' },
        { name: 'buyer' },
      ],
    });
    assert.equal(put.status, 200, put.text);
    const reader = put.json.badges.find((b: { name: string }) => b.name === 'reader');
    assert.deepEqual([reader.program, reader.issuer, reader.auto_award], ['summer', 'chipublib', true], 'a program brings its issuer');
    assert.deepEqual(reader.criteria.items, [{ id: 'five', description: 'Read five books', required: true }]);
    const refusals: [unknown, string][] = [
      [{ name: 'x', issuer: 'nobody' }, 'unknown_issuer'],
      [{ name: 'x', program: 'nothing' }, 'unknown_program'],
      [{ name: 'reader', issuer: 'default' }, 'issuer_mismatch'],
      [{ name: 'x', program: 'summer', issuer: 'default' }, 'issuer_mismatch'],
      [{ name: 'x', issuer: 'Not A Slug' }, 'invalid_issuer'],
      [{ name: 'x', program: 7 }, 'invalid_program'],
      [{ name: 'x', criteria: { items: [{ id: 'a', description: 'A', required: true }, { id: 'a', description: 'B', required: false }] } }, 'invalid_criteria'],
      [{ name: 'x', criteria: { items: [{ id: 'a', description: 'A' }] } }, 'invalid_criteria'],
      [{ name: 'x', criteria: 'do things' }, 'invalid_criteria'],
      [{ name: 'x', auto_award: 'yes' }, 'invalid_auto_award'],
    ];
    for (const [badge, code] of refusals) {
      const r = await call('PUT', '/badges.json', { badges: [badge] });
      assert.equal(r.status, 400, JSON.stringify(badge));
      assert.equal(r.json.error.code, code, JSON.stringify(badge));
    }
    assert.equal((await call('GET', '/badges.json', undefined, {})).json.badges.some((b: { name: string }) => b.name === 'x'), false, 'nothing refused was written');
    const criteria = (await call('PUT', '/badges.json', { badges: [{ name: 'buyer', criteria: { narrative: 'Buy something' } }] })).json.badges.find((b: { name: string }) => b.name === 'buyer').criteria;
    assert.deepEqual(criteria, { narrative: 'Buy something', items: [] }, 'criteria are kept whole');

    assert.deepEqual(names(await call('GET', '/badges.json?issuer=chipublib', undefined, {})), ['reader', 'visitor']);
    assert.deepEqual(names(await call('GET', '/badges.json?program=summer', undefined, {})), ['reader']);
    assert.deepEqual(names(await call('GET', '/badges.json?issuer=default', undefined, {})), ['buyer']);
    const page = await call('GET', '/badges.json?issuer=chipublib&page_size=1', undefined, {});
    assert.equal(page.json.paging.total, 2);
    assert.match(page.json.paging.next, /issuer=chipublib/);

    await call('PUT', '/users/ann.json', { badges: ['reader', 'visitor', 'buyer'] });
    const widget = await call('GET', '/users.json?names=ann&issuer=chipublib', undefined, {});
    assert.deepEqual(widget.json.users[0].badges.map((b: { name: string }) => b.name).sort(), ['reader', 'visitor']);
    assert.deepEqual(Object.keys(widget.json.badges).sort(), ['reader', 'visitor']);
    const one = await call('GET', '/users/ann.json?program=summer', undefined, {});
    assert.deepEqual(one.json.badges.map((b: { name: string }) => b.name), ['reader']);
    const all = await call('GET', '/users.json?names=ann', undefined, {});
    assert.equal(all.json.users[0].badges.length, 3, 'the same read without a filter: another answer, not the filtered one kept');
  });

  test('a program moved to another issuer takes its badges along; what things belong to cannot be deleted', async () => {
    await call('PUT', '/issuers/parks.json', { name: 'Chicago Park District' });
    const moved = await call('PUT', '/programs/summer.json', { issuer: 'parks', name: 'Summer of Learning' });
    assert.equal(moved.json.issuer, 'parks');
    assert.deepEqual(names(await call('GET', '/badges.json?issuer=parks', undefined, {})), ['reader']);
    assert.deepEqual(names(await call('GET', '/badges.json?issuer=chipublib', undefined, {})), ['visitor']);
    const widget = await call('GET', '/users.json?names=ann&issuer=parks', undefined, {});
    assert.deepEqual(widget.json.users[0].badges.map((b: { name: string }) => b.name), ['reader']);

    const issuer = await call('DELETE', '/issuers/parks.json');
    assert.equal(issuer.status, 409);
    assert.equal(issuer.json.error.code, 'issuer_in_use');
    assert.deepEqual(issuer.json.error.details, { programs: ['summer'], badges: ['reader'] });
    const program = await call('DELETE', '/programs/summer.json');
    assert.deepEqual([program.status, program.json.error.code, program.json.error.details], [409, 'program_in_use', { badges: ['reader'] }]);
    // Out of the program, the badge stays with its issuer.
    const out = (await call('PUT', '/badges.json', { badges: [{ name: 'reader', program: null }] })).json.badges.find((b: { name: string }) => b.name === 'reader');
    assert.deepEqual([out.program, out.issuer], [undefined, 'parks']);
    assert.equal((await call('DELETE', '/programs/summer.json')).status, 200);
    await call('PUT', '/badges.json', { badges: [{ name: 'reader', issuer: null }] });
    assert.equal((await call('DELETE', '/issuers/parks.json')).status, 200);
    assert.equal((await call('GET', '/issuers/parks.json', undefined, {})).status, 404);
  });

  test('a key limited to some badges may not manage issuers; every act is in the audit trail', async () => {
    const limited = (await call('POST', '/keys.json', { label: 'one badge', operations: ['manage_badges'], badges: ['buyer'] })).json;
    const refused = await call('PUT', '/issuers/x.json', { name: 'x' }, { authorization: limited.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'key_out_of_scope');
    const manager = (await call('POST', '/keys.json', { label: 'manager', operations: ['manage_badges'] })).json;
    assert.equal((await call('PUT', '/issuers/x.json', { name: 'x' }, { authorization: manager.token })).status, 200);
    assert.equal((await call('PUT', '/issuers/y.json', { name: 'y' }, {})).status, 401);
    const audit = (await call('GET', '/audit.json')).json.audit.map((e: { action: string; issuer?: string; program?: string }) => [e.action, e.program ?? e.issuer]);
    assert.deepEqual(audit.slice(0, 5), [
      ['issuer.created', 'x'],
      ['key.created', undefined],
      ['key.created', undefined],
      ['issuer.deleted', 'parks'],
      ['badge.updated', undefined],
    ]);
    assert.ok(audit.some(([action, id]: [string, string]) => action === 'program.updated' && id === 'summer'));
  });

  test("two services side by side: one's issuers are nothing to the other", async () => {
    const news = (method: string, path: string, body?: unknown) => h.request(method, `/v1/news${path}`, { body, headers: { authorization: NEWS_KEY } });
    assert.deepEqual((await news('GET', '/issuers.json')).json.issuers.map((i: { id: string }) => i.id), ['default']);
    assert.equal((await news('GET', '/issuers/chipublib.json')).status, 404);
    assert.equal((await news('PUT', '/badges.json', { badges: [{ name: 'r', issuer: 'chipublib' }] })).json.error.code, 'unknown_issuer');
    assert.equal((await news('PUT', '/programs/summer.json', { issuer: 'chipublib', name: 's' })).json.error.code, 'unknown_issuer');
    assert.equal((await news('PUT', '/issuers/chipublib.json', { name: 'Another library' })).status, 200);
    assert.equal((await call('GET', '/issuers/chipublib.json', undefined, {})).json.name, 'Chicago Public Library');
  });

  test('the open test service keeps no issuers', async () => {
    const r = await h.request('PUT', '/v1/test/issuers/x.json', { body: { name: 'x' } });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'not_on_test_service');
  });
});
