import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/** Claim codes: made for a badge (random, or chosen by the site), listed with their state, redeemed atomically for a user or an address. */

const KEY = 'shop-key-0123456789';

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
    await call('PUT', '/users/hal/emails.json', { emails: ['hal@example.org'] });
    const hal = await call('POST', `/claim-codes/${code.code}/redeem.json`, { email: 'HAL@example.org' });
    assert.equal(hal.status, 200, hal.text);
    assert.deepEqual(hal.json.user, { name: 'hal', badges: ['early'] });
    assert.equal((await redeem(code.code, 'hal')).json.error.code, 'claim_code_redeemed', 'by name or by address, hal once');
    const ivy = await call('POST', `/claim-codes/${code.code}/redeem.json`, { email: 'ivy@example.org' });
    assert.equal(ivy.status, 200, ivy.text);
    assert.deepEqual([ivy.json.user, ivy.json.email, ivy.json.code.redeemed], [undefined, 'ivy@example.org', 2]);
    assert.match(ivy.json.invitation, /^inv_/);
    assert.equal((await call('POST', `/claim-codes/${code.code}/redeem.json`, { email: 'ivy@example.org' })).json.error.code, 'claim_code_redeemed');
    for (const [body, error] of [[{ email: 'nobody' }, 'invalid_email'], [{ user: 'a', email: 'a@example.org' }, 'invalid_body'], [{}, 'invalid_body']] as const) {
      assert.equal((await call('POST', `/claim-codes/${code.code}/redeem.json`, body)).json.error.code, error, JSON.stringify(body));
    }
    await call('PUT', '/users/ivy/emails.json', { emails: ['ivy@example.org'] });
    const award = (await h.store.listItems('shop', 'award', { owner: 'ivy' }))[0]!;
    assert.deepEqual([(award.v as { badge: string }).badge, (award.v as { cause: { claimCode: string } }).cause.claimCode], ['early', 'BYMAIL'], 'claimed with the address, the award names the code');
  });
});
