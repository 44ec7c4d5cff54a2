import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { exportStore } from '../../server/transfer/export.js';
import { importStore } from '../../server/transfer/import.js';
import { withPostgres } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { start, tempDir, type Harness } from './harness.js';

/**
 * Applications and reviews (BadgeKit's assessment): an earner applies with evidence, the site
 * assigns a reviewer until an expiry, a review judges each criterion and approves or not (told by
 * webhook), an approved application is awarded when the site says so, or at once with
 * `auto_award`, and is then processed. Two services side by side: neither reads the other's.
 */

const KEY = 'shop-key-0123456789';
const NEWS_KEY = 'news-key-0123456789';
const HOUR = 3_600_000;

const criteria = {
  narrative: 'Read **five** books and tell us about one',
  items: [
    { id: 'five', description: 'Read five books', required: true },
    { id: 'essay', description: 'Wrote about one of them', required: true },
    { id: 'extra', description: 'Read a sixth', required: false },
  ],
};
const essay = { url: 'https://example.org/ann/essay', media_type: 'link', reflection: 'I wrote about five books' };

describe('applications and reviews', () => {
  let h: Harness;
  let receiver: Receiver;
  let now = Date.parse('2027-03-01T10:00:00Z');
  const as = { authorization: KEY };
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = as) => h.request(method, `/v1/shop${path}`, { body, headers });
  const ids = (r: { json: { applications: { id: string }[] } }) => r.json.applications.map((a) => a.id);
  const apply = async (badge: string, body: unknown) => {
    // Applications of the same instant are in id order: a second apart, in the order made.
    now += 1000;
    const r = await call('POST', `/badges/${badge}/applications.json`, body);
    assert.equal(r.status, 201, r.text);
    return r.json as { id: string; state: string; user?: string; email?: string };
  };

  before(async () => {
    receiver = await startReceiver();
    h = await start({ config: { now: () => now, access: { webhookAllowPrivate: true, webhookPollMs: 50 } } });
    await h.domain.createService('shop', KEY);
    await h.domain.createService('news', NEWS_KEY);
    await h.domain.putBadges('news', [{ name: 'reader', fields: {} }]);
    const put = await call('PUT', '/badges.json', {
      badges: [
        { name: 'reader', criteria },
        { name: 'helper', criteria: { narrative: 'Help someone', items: [{ id: 'helped', description: 'Helped', required: true }] }, auto_award: true },
      ],
    });
    assert.equal(put.status, 200, put.text);
    await call('PUT', '/users/ann.json', { badges: [] });
    await call('PUT', '/users/ann/emails.json', { emails: ['ann@example.org'] });
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  test("a badge's criteria: a narrative and items, each required or not", async () => {
    const badges = (await call('GET', '/badges.json', undefined, {})).json.badges;
    assert.deepEqual(badges.find((b: { name: string }) => b.name === 'reader').criteria, criteria);
  });

  test('an application is submitted by the site for a user or an address, with evidence; every refusal says what', async () => {
    const byAddress = await apply('reader', { email: ' ANN@example.org ', evidence: [essay] });
    assert.deepEqual([byAddress.user, byAddress.email, byAddress.state], ['ann', 'ann@example.org', 'pending'], "an address a user has is that user's application");
    const cases: [string, unknown, number, string][] = [
      ['reader', { user: 'ann' }, 409, 'application_pending'],
      ['reader', { user: 'bo', email: 'bo@example.org' }, 400, 'invalid_body'],
      ['reader', {}, 400, 'invalid_body'],
      ['reader', { email: 'nobody' }, 400, 'invalid_email'],
      ['reader', { user: 'bo', evidence: [{}] }, 400, 'invalid_evidence'],
      ['reader', { user: 'bo', evidence: [{ url: 'javascript:alert(1)' }] }, 400, 'invalid_url'],
      ['reader', { user: 'bo', grade: 'A' }, 400, 'invalid_body'],
      ['reader', { user: 'bo', reviewer: 'rita', expiresAt: '2020-01-01T00:00:00Z' }, 400, 'invalid_expiry'],
      ['nothing', { user: 'bo' }, 404, 'badge_not_found'],
    ];
    for (const [badge, body, status, code] of cases) {
      const r = await call('POST', `/badges/${badge}/applications.json`, body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, code, JSON.stringify(body));
    }
    assert.equal((await call('POST', '/badges/reader/applications.json', { user: 'bo' }, {})).status, 401, "the service's key only");
    assert.equal((await h.request('GET', `/v1/news/applications/${byAddress.id}.json`, { headers: { authorization: NEWS_KEY } })).json.error.code, 'application_not_found', "another service's is not there");
    await call('DELETE', `/applications/${byAddress.id}.json`);
  });

  test('assigned to a reviewer until an expiry: listed as theirs until then; another may have it after', async () => {
    const app = await apply('reader', { user: 'cy', evidence: [essay], reviewer: 'rita@example.org', expiresAt: new Date(now + HOUR).toISOString() });
    const other = await apply('reader', { email: 'dee@example.org' });
    assert.deepEqual(ids(await call('GET', '/applications.json?reviewer=rita%40example.org')), [app.id]);
    assert.deepEqual(ids(await call('GET', '/badges/reader/applications.json')), [app.id, other.id], "a badge's pending applications, oldest first");
    const taken = await call('PUT', `/applications/${app.id}/assignment.json`, { reviewer: 'sam' });
    assert.deepEqual([taken.status, taken.json.error.code], [409, 'application_assigned']);
    const early = await call('POST', `/applications/${app.id}/reviews.json`, { reviewer: 'sam', approved: false });
    assert.deepEqual([early.status, early.json.error.code], [409, 'assigned_to_another']);
    now += 2 * HOUR;
    assert.deepEqual(ids(await call('GET', '/applications.json?reviewer=rita%40example.org')), [], 'expired: no longer hers');
    const reassigned = await call('PUT', `/applications/${app.id}/assignment.json`, { reviewer: 'sam', expiresAt: new Date(now + HOUR).toISOString() });
    assert.equal(reassigned.status, 200, reassigned.text);
    assert.deepEqual(reassigned.json.assignment, { reviewer: 'sam', expiresAt: new Date(now + HOUR).toISOString() });
    assert.deepEqual(ids(await call('GET', '/applications.json?reviewer=sam')), [app.id]);
    const unassigned = await call('DELETE', `/applications/${app.id}/assignment.json`);
    assert.equal(unassigned.json.assignment, null);
    assert.deepEqual(ids(await call('GET', '/applications.json?reviewer=sam')), []);
    for (const id of [app.id, other.id]) assert.equal((await call('DELETE', `/applications/${id}.json`)).status, 200);
  });

  test('reviewed per criterion, told by webhook; awarded when the site says so, with its evidence, then processed', async () => {
    const hook = (await call('POST', '/webhooks.json', { url: `${receiver.base}/reviews`, events: ['application.reviewed'] })).json;
    receiver.expect('/reviews', hook.secret);
    const app = await apply('reader', { user: 'ann', evidence: [essay], reviewer: 'rita' });
    const refusals: [unknown, number, string][] = [
      [{ reviewer: 'rita', approved: true, items: [{ criterion: 'five', satisfied: true }] }, 400, 'criteria_not_met'],
      [{ reviewer: 'rita', approved: true, items: [{ criterion: 'six', satisfied: true }] }, 400, 'unknown_criterion'],
      [{ reviewer: 'rita', approved: false, items: [{ criterion: 'five', satisfied: true }, { criterion: 'five', satisfied: false }] }, 400, 'invalid_review'],
      [{ reviewer: 'rita' }, 400, 'invalid_body'],
    ];
    for (const [body, status, code] of refusals) {
      const r = await call('POST', `/applications/${app.id}/reviews.json`, body);
      assert.deepEqual([r.status, r.json.error?.code], [status, code], JSON.stringify(body));
    }
    const notYet = await call('POST', `/applications/${app.id}/reviews.json`, { reviewer: 'rita', approved: false, comment: 'Tell us more', items: [{ criterion: 'five', satisfied: true }, { criterion: 'essay', satisfied: false, comment: 'Too short' }] });
    assert.equal(notYet.status, 201, notYet.text);
    assert.deepEqual([notYet.json.application.state, notYet.json.application.assignment, notYet.json.application.review.approved], ['pending', null, false], 'reviewed, it leaves the reviewer');
    assert.equal((await call('POST', `/applications/${app.id}/award.json`)).json.error.code, 'not_approved');
    now += 1000;
    const yes = await call('POST', `/applications/${app.id}/reviews.json`, { reviewer: 'rita', approved: true, items: [{ criterion: 'five', satisfied: true }, { criterion: 'essay', satisfied: true, comment: 'Lovely' }] });
    assert.equal(yes.status, 201, yes.text);
    assert.equal(yes.json.application.state, 'pending', 'without auto_award, approved is not awarded');
    assert.deepEqual(ids(await call('GET', '/applications.json?badge=reader')), [app.id], 'approved and waiting to be awarded');

    // Deliveries are due once the clock has passed the time they were made at.
    now += 1000;
    await receiver.until(() => receiver.at('/reviews').length === 2, 15_000, 'two application.reviewed webhooks');
    // Signed with the server's clock, which this test moves: read as sent (webhooks.test.ts verifies signatures).
    const told = receiver.at('/reviews').map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
    assert.deepEqual(
      told.map((m) => [m.type, m.data.application, m.data.user, m.data.reviewer, m.data.approved]),
      [
        ['application.reviewed', app.id, 'ann', 'rita', false],
        ['application.reviewed', app.id, 'ann', 'rita', true],
      ],
    );

    const awarded = await call('POST', `/applications/${app.id}/award.json`);
    assert.equal(awarded.status, 200, awarded.text);
    assert.deepEqual([awarded.json.state, awarded.json.processed.awarded, awarded.json.processed.awards.length], ['processed', true, 1]);
    const award = await call('GET', `/users/ann/awards/${awarded.json.processed.awards[0]}.json`);
    assert.deepEqual([award.json.badge, award.json.cause, award.json.evidence], ['reader', { application: app.id }, [essay]], 'the award carries the application and its evidence');
    assert.equal((await call('POST', `/applications/${app.id}/award.json`)).json.error.code, 'application_processed', 'awarded once');
    assert.deepEqual(ids(await call('GET', '/applications.json?badge=reader')), []);
    assert.deepEqual(ids(await call('GET', '/applications.json?badge=reader&state=processed')), [app.id]);
    const read = await call('GET', `/applications/${app.id}.json`);
    assert.deepEqual(read.json.reviews.map((r: { approved: boolean; items: unknown[] }) => [r.approved, r.items.length]), [[false, 2], [true, 2]], 'every review, oldest first');
    const audit = (await call('GET', '/audit.json?user=ann')).json.audit.map((e: { action: string }) => e.action);
    assert.deepEqual(audit.slice(0, 5), ['application.processed', 'award.created', 'application.reviewed', 'application.reviewed', 'application.assigned']);
  });

  test('with auto_award an approval awards at once; an address nobody has is invited; closed ones are processed unawarded', async () => {
    const byUser = await apply('helper', { user: 'ann', evidence: [{ reflection: 'I helped Bo' }] });
    const r = await call('POST', `/applications/${byUser.id}/reviews.json`, { reviewer: 'rita', approved: true, items: [{ criterion: 'helped', satisfied: true }] });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.application.state, r.json.application.processed.awarded], ['processed', true]);
    assert.ok((await h.store.getUser('shop', 'ann'))!.awards.some((a) => a.badge === 'helper'), 'awarded in the same write');
    const byAddress = await apply('helper', { email: 'eve@example.org' });
    const invited = (await call('POST', `/applications/${byAddress.id}/reviews.json`, { reviewer: 'rita', approved: true, items: [{ criterion: 'helped', satisfied: true }] })).json.application;
    assert.equal(invited.state, 'processed');
    assert.match(invited.processed.invitation, /^inv_/);
    await call('PUT', '/users/eve/emails.json', { emails: ['eve@example.org'] });
    const eve = await h.store.listItems('shop', 'award', { owner: 'eve' });
    assert.deepEqual(eve.map((i) => (i.v as { cause: { application: string } }).cause.application), [byAddress.id], 'claimed with the address, the award names the application');
    const closing = await apply('helper', { user: 'fay' });
    const closed = await call('POST', `/applications/${closing.id}/close.json`);
    assert.deepEqual([closed.json.state, closed.json.processed.awarded], ['processed', false]);
    assert.equal((await call('POST', `/applications/${closing.id}/reviews.json`, { reviewer: 'rita', approved: false })).json.error.code, 'application_processed');
  });

  test("when the badge's terms refuse the award now, an approved application stays pending, and says why", async () => {
    await call('PUT', '/badges.json', { badges: [{ name: 'solo', unique: true, auto_award: true }] });
    await call('PUT', '/users/jo.json', { badges: ['solo'] });
    const app = await apply('solo', { user: 'jo' });
    const r = await call('POST', `/applications/${app.id}/reviews.json`, { reviewer: 'rita', approved: true });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.skipped, r.json.application.state, r.json.application.review.approved], ['unique', 'pending', true]);
    const award = await call('POST', `/applications/${app.id}/award.json`);
    assert.deepEqual([award.status, award.json.error.code, award.json.error.details], [409, 'not_awardable', { reason: 'unique' }]);
    assert.equal((await call('POST', `/applications/${app.id}/close.json`)).json.state, 'processed');
  });

  test('a scoped key acts on the badges it covers only; issuer and program filter the list', async () => {
    const key = (await call('POST', '/keys.json', { label: 'helpers', operations: ['award', 'read_private'], badges: ['helper'] })).json;
    const mine = { authorization: key.token };
    const app = await apply('reader', { user: 'gus' });
    assert.equal((await call('GET', `/applications/${app.id}.json`, undefined, mine)).status, 403);
    assert.equal((await call('POST', `/applications/${app.id}/reviews.json`, { reviewer: 'k', approved: false }, mine)).status, 403);
    assert.equal((await call('GET', '/applications.json', undefined, mine)).status, 403, 'every badge is more than it covers');
    assert.equal((await call('POST', '/badges/helper/applications.json', { user: 'gus' }, mine)).status, 201);
    await call('PUT', '/programs/summer.json', { name: 'Summer' });
    await call('PUT', '/badges.json', { badges: [{ name: 'reader', criteria, program: 'summer' }] });
    assert.deepEqual(ids(await call('GET', '/applications.json?program=summer')), [app.id]);
    assert.equal(ids(await call('GET', '/applications.json')).length, 2);
  });

  test('applications move with the service to another store', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'shop.jsonl');
    const out = createWriteStream(file);
    await exportStore(h.store, out, { service: 'shop' });
    out.end();
    await finished(out);
    // Into the other kind of store: PostgreSQL from the embedded one, the embedded one from PostgreSQL.
    const onPostgres = process.env.TEST_STORE === 'postgres';
    const other = await start({ store: onPostgres ? { seed: false, file: join(dir, 'other.json') } : { seed: false, database: await withPostgres() } });
    // Closed before the directory it keeps its files in is removed.
    try {
      await importStore(other.domain, other.store, createReadStream(file));
      for (const path of ['/applications.json', '/applications.json?state=processed', '/badges/reader/applications.json']) {
        const [a, b] = [await call('GET', path), await other.request('GET', `/v1/shop${path}`, { headers: as })];
        assert.equal(b.text, a.text, path);
      }
    } finally {
      await other.close();
    }
  });
});
