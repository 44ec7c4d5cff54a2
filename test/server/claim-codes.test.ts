import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * Claim codes: made for a badge (random, or chosen by the site), listed with their state, redeemed
 * atomically for a user or an address; ended or deleted one at a time or a batch at once; no longer
 * alive than the key that made them or their badge.
 */

const KEY = 'shop-key-0123456789';
const OTHER = 'mall-key-0123456789';

describe('claim codes', () => {
  let h: Harness;
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const as = { authorization: KEY };
  const call = (method: string, path: string, body?: unknown) => h.request(method, `/v1/shop${path}`, { body, headers: as });
  const redeem = (code: string, user: string) => call('POST', `/claim-codes/${code}/redeem.json`, { user });

  before(async () => {
    h = await start({ config: { now: () => now } });
    await h.domain.createService('shop', KEY);
    await h.domain.putBadges('shop', [{ name: 'early', fields: {} }, { name: 'founder', fields: { unique: true } }]);
    // A second service beside it, with a badge of the same name and codes of its own.
    await h.domain.createService('mall', OTHER);
    await h.domain.putBadges('mall', [{ name: 'early', fields: {} }]);
  });
  after(() => h.close());

  test('codes are unguessable, shown in groups, redeemed once per user, up to their uses', async () => {
    const made = await call('POST', '/badges/early/claim-codes.json', { count: 3, uses: 2 });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.codes.length, 3);
    for (const code of made.json.codes) assert.match(code.code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/, '120 random bits');
    assert.equal(new Set(made.json.codes.map((c: { code: string }) => c.code)).size, 3);
    const code = made.json.codes[0].code as string;

    const first = await redeem(code.toLowerCase().replace(/-/g, ''), 'ann');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.user, { name: 'ann', badges: ['early'] });
    assert.equal(first.json.code.redeemed, 1);
    assert.equal(first.json.code.state, 'active');
    assert.equal((await redeem(code, 'ann')).json.error.code, 'claim_code_redeemed');
    const second = await redeem(code, 'bob');
    assert.equal(second.json.code.state, 'used');
    const third = await redeem(code, 'carol');
    assert.equal(third.status, 409);
    assert.equal(third.json.error.code, 'claim_code_used');
    assert.equal((await redeem('AAAA-BBBB', 'carol')).status, 404);

    const listed = await call('GET', '/badges/early/claim-codes.json');
    assert.equal(listed.json.paging.total, 3);
    assert.deepEqual(listed.json.codes.map((c: { code: string; state: string }) => c.state).sort(), ['active', 'active', 'used']);
  });

  test('an expired code is refused; a unique badge held already leaves the code unused', async () => {
    const [soon] = (await call('POST', '/badges/early/claim-codes.json', { expiresAt: new Date(now + 60_000).toISOString() })).json.codes;
    now += 120_000;
    const late = await redeem(soon.code, 'ann');
    assert.equal(late.status, 409);
    assert.equal(late.json.error.code, 'claim_code_expired');
    const [a, b] = (await call('POST', '/badges/founder/claim-codes.json', { count: 2 })).json.codes;
    assert.equal((await redeem(a.code, 'dan')).status, 200);
    const twice = await redeem(b.code, 'dan');
    assert.equal(twice.json.error.code, 'already_awarded');
    assert.equal((await redeem(b.code, 'erin')).status, 200, 'the code was not used up by the refusal');
  });

  test('50 concurrent redemptions of one single-use code: exactly one wins, one award', async () => {
    const [code] = (await call('POST', '/badges/early/claim-codes.json', {})).json.codes;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => redeem(code.code, `racer${i}`)));
    const won = answers.filter((a) => a.status === 200);
    assert.equal(won.length, 1, answers.map((a) => a.status).join(','));
    assert.ok(answers.filter((a) => a.status !== 200).every((a) => a.status === 409 && a.json.error.code === 'claim_code_used'));
    const badge = (await h.request('GET', '/v1/shop/badges.json')).json.badges.find((b: { name: string }) => b.name === 'early');
    // ann and bob above, and the one winner.
    assert.equal(badge.count, 3);
  });

  test('a key limited to other badges may not make or redeem these codes', async () => {
    const key = (await call('POST', '/keys.json', { label: 'founders only', operations: ['award'], badges: ['founder'] })).json;
    const [code] = (await call('POST', '/badges/early/claim-codes.json', {})).json.codes;
    const redeemed = await h.request('POST', `/v1/shop/claim-codes/${code.code}/redeem.json`, { headers: { authorization: key.token }, body: { user: 'fay' } });
    assert.equal(redeemed.status, 403);
    assert.equal((await h.request('POST', '/v1/shop/badges/early/claim-codes.json', { headers: { authorization: key.token }, body: {} })).status, 403);
    assert.equal((await h.request('POST', '/v1/shop/badges/founder/claim-codes.json', { headers: { authorization: key.token }, body: {} })).status, 201);
  });

  test('codes chosen by the site: shown as chosen, redeemed whatever the case, refused when taken', async () => {
    const made = await call('POST', '/badges/early/claim-codes.json', { codes: ['SUMMER-2027', 'reading-club'], uses: 5 });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json.codes.map((c: { code: string; chosen?: true }) => [c.code, c.chosen]), [['SUMMER2027', true], ['READINGCLUB', true]]);
    const redeemed = await redeem('summer-2027', 'gil');
    assert.equal(redeemed.status, 200, redeemed.text);
    assert.deepEqual(redeemed.json.user, { name: 'gil', badges: ['early'] });
    const refusals: [unknown, number, string][] = [
      [{ codes: ['summer2027'] }, 409, 'claim_code_exists'],
      [{ codes: ['NEW-ONE', 'newone'] }, 400, 'invalid_codes'],
      [{ codes: ['ab'] }, 400, 'invalid_codes'],
      [{ codes: ['x y z w'] }, 400, 'invalid_codes'],
      [{ codes: ['NEWONE'], count: 1 }, 400, 'invalid_body'],
    ];
    const founders = async () => (await call('GET', '/badges/founder/claim-codes.json')).json.paging.total;
    const before = await founders();
    for (const [body, status, code] of refusals) {
      const r = await call('POST', '/badges/founder/claim-codes.json', body);
      assert.deepEqual([r.status, r.json.error.code], [status, code], JSON.stringify(body));
    }
    assert.equal(await founders(), before, 'a refusal makes no code');
  });

  test('redeemed for an address: its user is awarded; an address nobody has is invited, and claims it with the address', async () => {
    const [code] = (await call('POST', '/badges/early/claim-codes.json', { codes: ['BY-MAIL'], uses: 3 })).json.codes;
    await call('PUT', '/users/hank/emails.json', { emails: ['hank@example.org'] });
    const hank = await call('POST', `/claim-codes/${code.code}/redeem.json`, { email: 'HANK@example.org' });
    assert.equal(hank.status, 200, hank.text);
    assert.deepEqual(hank.json.user, { name: 'hank', badges: ['early'] });
    assert.equal((await redeem(code.code, 'hank')).json.error.code, 'claim_code_redeemed', 'by name or by address, hank once');
    const iris = await call('POST', `/claim-codes/${code.code}/redeem.json`, { email: 'iris@example.org' });
    assert.equal(iris.status, 200, iris.text);
    assert.deepEqual([iris.json.user, iris.json.email, iris.json.code.redeemed], [undefined, 'iris@example.org', 2]);
    assert.match(iris.json.invitation, /^inv_/);
    assert.equal((await call('POST', `/claim-codes/${code.code}/redeem.json`, { email: 'iris@example.org' })).json.error.code, 'claim_code_redeemed');
    for (const [body, error] of [[{ email: 'nobody' }, 'invalid_email'], [{ user: 'a', email: 'a@example.org' }, 'invalid_body'], [{}, 'invalid_body']] as const) {
      assert.equal((await call('POST', `/claim-codes/${code.code}/redeem.json`, body)).json.error.code, error, JSON.stringify(body));
    }
    await call('PUT', '/users/iris/emails.json', { emails: ['iris@example.org'] });
    const award = (await h.store.listItems('shop', 'award', { owner: 'iris' }))[0]!;
    assert.deepEqual([(award.v as { badge: string }).badge, (award.v as { cause: { claimCode: string } }).cause.claimCode], ['early', 'BYMAIL'], 'claimed with the address, the award names the code');
  });

  test('codes are listed, ended and deleted one at a time or a batch at once', async () => {
    const made = await call('POST', '/badges/early/claim-codes.json', { count: 3, uses: 5 });
    assert.match(made.json.batch, /^ccb_[a-z2-7]{20}$/);
    const [a, b, c] = made.json.codes as { code: string; batch: string; key: string | null }[];
    assert.deepEqual([a!.batch, a!.key], [made.json.batch, null], "made by the service's own key");
    const theirs = (await h.request('POST', '/v1/mall/badges/early/claim-codes.json', { body: {}, headers: { authorization: OTHER } })).json.codes[0].code;

    const one = await call('GET', `/claim-codes/${a!.code}.json`);
    assert.deepEqual([one.status, one.json.state, one.json.code], [200, 'active', a!.code]);
    const ended = await call('POST', `/claim-codes/${a!.code}/expire.json`);
    assert.deepEqual([ended.json.state, ended.json.expiresAt], ['expired', new Date(now).toISOString()]);
    assert.equal((await redeem(a!.code, 'gus')).json.error.code, 'claim_code_expired');
    assert.equal((await call('DELETE', `/claim-codes/${b!.code}.json`)).json.deleted, true);
    assert.equal((await redeem(b!.code, 'gus')).status, 404);
    assert.equal((await call('GET', `/claim-codes/${b!.code}.json`)).status, 404);

    const batch = await call('GET', `/claim-code-batches/${made.json.batch}.json`);
    assert.deepEqual(batch.json.codes.map((code: { code: string; state: string }) => [code.code, code.state]), [[a!.code, 'expired'], [c!.code, 'active']]);
    const all = await call('POST', `/claim-code-batches/${made.json.batch}/expire.json`);
    assert.deepEqual(all.json.codes.map((code: { state: string }) => code.state), ['expired', 'expired']);
    assert.equal((await redeem(c!.code, 'gus')).json.error.code, 'claim_code_expired');
    const deleted = await call('DELETE', `/claim-code-batches/${made.json.batch}.json`);
    assert.deepEqual(deleted.json, { id: made.json.batch, deleted: 2 });
    assert.equal((await call('GET', `/claim-code-batches/${made.json.batch}.json`)).status, 404);
    const listed = (await call('GET', '/badges/early/claim-codes.json?page_size=1000')).json.codes.map((code: { code: string }) => code.code);
    assert.ok(![a, b, c].some((code) => listed.includes(code!.code)), 'none of the batch is listed');
    // The other service's code of the same badge name is untouched, and not reachable from here.
    assert.equal((await call('GET', `/claim-codes/${theirs}.json`)).status, 404);
    assert.equal((await h.request('GET', `/v1/mall/claim-codes/${theirs}.json`, { headers: { authorization: OTHER } })).json.state, 'active');
  });

  test('a code lives no longer than the key that made it: it expires with it, and goes when it is deleted', async () => {
    const scoped = (expiresAt?: string) => call('POST', '/keys.json', { label: 'codes', operations: ['award', 'read_private'], badges: ['early'], ...(expiresAt ? { expiresAt } : {}) });
    const brief = (await scoped(new Date(now + 2000).toISOString())).json;
    const made = await h.request('POST', '/v1/shop/badges/early/claim-codes.json', { headers: { authorization: brief.token }, body: { count: 2, uses: 1_000_000 } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json.codes.map((code: { expiresAt: string; key: string }) => [code.expiresAt, code.key]), [
      [brief.expiresAt, brief.id],
      [brief.expiresAt, brief.id],
    ]);
    now += 3000;
    assert.equal((await redeem(made.json.codes[0].code, 'hal')).json.error.code, 'claim_code_expired', 'expired with its key');

    const lasting = (await scoped()).json;
    const codes = (await h.request('POST', '/v1/shop/badges/early/claim-codes.json', { headers: { authorization: lasting.token }, body: { count: 3 } })).json;
    assert.equal((await h.request('GET', `/v1/shop/claim-codes/${codes.codes[0].code}.json`, { headers: { authorization: lasting.token } })).json.state, 'active');
    assert.equal((await call('DELETE', `/keys/${lasting.id}.json`)).status, 200);
    for (const code of codes.codes) assert.equal((await redeem(code.code, 'hal')).status, 404, 'deleted with its key');
    assert.equal((await call('GET', `/claim-code-batches/${codes.batch}.json`)).status, 404);
  });

  test('a badge deleted takes its codes and pending invitations; made again under its name, it does not revive them', async () => {
    await call('PUT', '/badges.json', { badges: [{ name: 'pioneer' }] });
    await h.request('PUT', '/v1/mall/badges.json', { body: { badges: [{ name: 'pioneer' }] }, headers: { authorization: OTHER } });
    const code = (await call('POST', '/badges/pioneer/claim-codes.json', { uses: 10 })).json.codes[0].code;
    const theirs = (await h.request('POST', '/v1/mall/badges/pioneer/claim-codes.json', { body: {}, headers: { authorization: OTHER } })).json.codes[0].code;
    const invited = await call('POST', '/badges/pioneer/awards.json', { emails: ['ivy@example.org'] });
    assert.equal(invited.json.successes['ivy@example.org'], 'INVITED');
    await h.request('POST', '/v1/mall/badges/pioneer/awards.json', { body: { emails: ['ivy@example.org'] }, headers: { authorization: OTHER } });

    assert.equal((await call('DELETE', '/badges.json', { badges: ['pioneer'] })).status, 200);
    await call('PUT', '/badges.json', { badges: [{ name: 'pioneer' }] });
    assert.equal((await redeem(code, 'ivy')).status, 404, 'the old code is gone');
    assert.equal((await call('GET', '/badges/pioneer/claim-codes.json')).json.paging.total, 0);
    assert.deepEqual((await call('GET', '/invitations.json?email=ivy@example.org')).json.invitations, []);
    const claimed = await call('PUT', '/users/ivy/emails.json', { emails: ['ivy@example.org'] });
    assert.deepEqual(claimed.json.claimed, [], 'no invitation of the old badge is claimed');
    assert.equal((await h.request('GET', '/v1/shop/users/ivy.json')).status, 404, 'nothing awarded');

    // The other service's badge of that name kept its code and its invitation.
    const mall = { authorization: OTHER };
    assert.equal((await h.request('GET', `/v1/mall/claim-codes/${theirs}.json`, { headers: mall })).json.state, 'active');
    assert.equal((await h.request('GET', '/v1/mall/invitations.json?email=ivy@example.org', { headers: mall })).json.invitations.length, 1);
  });
});

