import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { createKey, rotateServiceKey } from '../../server/core/access/keys.js';
import { makeClaimCodes } from '../../server/core/access/claim-codes.js';
import { setEmails } from '../../server/core/access/emails.js';
import { invite } from '../../server/core/access/invitations.js';
import { putEventTypes } from '../../server/core/events/event-types.js';
import { ingest } from '../../server/core/events/ingest.js';
import { createRule } from '../../server/core/events/rules.js';
import type { Store } from '../../server/core/ports.js';
import { exportStore } from '../../server/transfer/export.js';
import { ImportError, importStore } from '../../server/transfer/import.js';
import { createIntegration } from '../../server/core/events/integrations.js';
import { startBackfill } from '../../server/core/events/backfill.js';
import { setEventSettings } from '../../server/core/events/settings.js';
import { scheduleStateSweep } from '../../server/core/events/state-sweep.js';
import { DEFAULT_QUOTAS, setQuotas, useHourlyQuota } from '../../server/core/rules/quota.js';
import { ITEMS } from '../../server/transfer/records.js';
import { putIssuer, putProgram } from '../../server/core/issuing/issuers.js';
import { assignStatus, ensureIssuerKey } from '../../server/core/openbadges.js';
import { generateIssuerKey, keyEncryptionKey } from '../../server/openbadges/keys.js';
import { aPersonEverywhere } from '../support/person.js';
import { storeKinds } from '../support/stores.js';

/**
 * Import takes what the API would have made and nothing else, all of a file or none of it: every
 * record is checked as the API checks what makes it, an error names the line and the field, and a
 * file refused midway leaves the store as it was, so the fixed file imports. Two services side by
 * side: the one in the store already is never touched.
 */

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const type = { source: 'app', type: 'task', action: 'close' };

/** A service with something of every feature, exported: the lines of a good file. */
async function goodFile(store: Store): Promise<string[]> {
  const domain = composeDomain(store, { now: () => NOW });
  await domain.createService('shop', 'shop-key-0123456789abcdef');
  await domain.putBadges('shop', [{ name: 'gold', fields: { title: 'Gold', tags: ['a'] } }, { name: 'early', fields: {} }]);
  await domain.award('shop', 'ann', ['gold']);
  await domain.run('shop', (tx) => putEventTypes(tx, 'shop', [type]));
  await domain.run('shop', (tx) => createRule(tx, 'shop', { badge: 'early', condition: 'count', eventTypes: [type], count: 2, window: 'P7D' }, 'early'));
  await domain.run('shop', (tx) => ingest(tx, 'shop', [{ eventType: type, id: 'e1', user: 'ann' }, { eventType: type, id: 'e2', user: 'ann' }, { eventType: { ...type, action: 'nope' }, id: 'bad', user: 'ann' }], { via: 'api' }));
  await domain.run('shop', (tx) => createKey(tx, 'shop', { id: 'key_aaaaaaaaaaaaaaaaaaaa', secret: 'secret-secret-secret-secret', label: 'bot', operations: ['award'], badges: ['gold'], expiresAt: null }));
  await domain.run('shop', (tx) => makeClaimCodes(tx, 'shop', 'gold', ['ABCDEFGHIJKLMNOPQRSTUVWX'], 5, null, 'ccb_aaaaaaaaaaaaaaaaaaaa', null));
  await domain.run('shop', async (tx) => invite(tx, 'shop', 'new@example.org', (await tx.badges('shop', ['gold'])).get('gold')!, null, 0));
  await domain.run('shop', (tx) => setEmails(tx, 'shop', 'ann', ['ann@example.org']));
  await domain.run('shop', (tx) => rotateServiceKey(tx, 'shop', 'shop-key-new-0123456789abcdef', 86_400_000));
  let text = '';
  const out = new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) });
  await exportStore(store, out, { service: 'shop' });
  await domain.deleteService('shop');
  return text.trimEnd().split('\n');
}

/** The lines with the one that `pick`s changed by `change` (a record's JSON, edited). */
function changed(lines: string[], pick: (line: any) => boolean, change: (line: any) => unknown): { lines: string[]; at: number } {
  const index = lines.findIndex((line, i) => i > 0 && pick(JSON.parse(line)));
  assert.ok(index > 0, 'the line to change is in the file');
  const copy = [...lines];
  copy[index] = typeof change === 'function' ? String(change(JSON.parse(lines[index]!))) : '';
  return { lines: copy, at: index + 1 };
}
const json = (edit: (line: any) => void) => (line: any) => (edit(line), JSON.stringify(line));
const isItem = (kind: string) => (line: any) => line.item?.record.kind === kind;

const CASES: { what: string; pick: (line: any) => boolean; change: (line: any) => unknown; error: RegExp }[] = [
  { what: 'a user name with NUL', pick: (l) => l.user?.record.name === 'ann', change: json((l) => (l.user.record.name = 'a\u0000nn')), error: /user \/name: A user name cannot contain control characters.*\(invalid_user_name\)/ },
  { what: 'a badge name with "/"', pick: (l) => l.badge?.record.name === 'early', change: json((l) => (l.badge.record.name = 'ear/ly')), error: /badge \/name: .*"\/"/ },
  { what: 'a user name with ","', pick: (l) => l.user?.record.name === 'ann', change: json((l) => (l.user.record.name = 'a,nn')), error: /user \/name: .*","/ },
  { what: 'a badge field of the wrong type', pick: (l) => l.badge?.record.name === 'gold', change: json((l) => (l.badge.record.fields.title = 5)), error: /badge \/fields\/title: title must be a string of 1-200 characters \(invalid_title\)/ },
  { what: 'a count of the wrong type', pick: (l) => l.badge?.record.name === 'gold', change: json((l) => (l.badge.record.count = '1')), error: /badge \/count: / },
  { what: 'a __proto__ field', pick: (l) => l.badge?.record.name === 'gold', change: (l) => JSON.stringify(l).replace('"fields":{', '"fields":{"__proto__":{"polluted":true},'), error: /\/badge\/record\/fields\/__proto__: "__proto__" is not a field any record has/ },
  { what: 'a field of megabytes', pick: (l) => l.badge?.record.name === 'gold', change: json((l) => (l.badge.record.fields.description = 'x'.repeat(2 * 1024 * 1024))), error: /longer than 1048576 bytes/ },
  { what: 'an event without its type', pick: isItem('event'), change: json((l) => (l.item.record.v = {})), error: /item \/v\/t: Expected required property/ },
  { what: 'an event whose data is a list', pick: isItem('event'), change: json((l) => (l.item.record.v.d = [1])), error: /item \/v(\/d)?: / },
  { what: 'an activity entry without its type', pick: isItem('activity'), change: json((l) => delete l.item.record.v.type), error: /item \/v\/type: Expected required property/ },
  { what: 'a scoped key whose operations is a string', pick: isItem('key'), change: json((l) => (l.item.record.v.operations = 'award')), error: /item \/v\/operations: / },
  { what: 'a previous key valid until 2999', pick: isItem('previous-key'), change: json((l) => (l.item.record.at = l.item.record.v.until = '2999-01-01T00:00:00.000Z')), error: /item \/v\/until: a previous key works at most 30 days/ },
  { what: 'a time that is no date', pick: (l) => l.user?.record.name === 'ann', change: json((l) => (l.user.record.createdAt = '2026-02-31T00:00:00.000Z')), error: /user \/createdAt: a time is ISO-8601 in UTC/ },
  { what: 'an item of a kind this version does not keep', pick: isItem('event'), change: json((l) => (l.item.record.kind = 'mystery')), error: /item \/kind: "mystery" is not a kind of item/ },
  { what: 'an award of a badge the file does not list', pick: (l) => l.user?.record.name === 'ann', change: json((l) => (l.user.record.awards[0].badge = 'silver')), error: /user \/awards\/0\/badge: badge "silver" is not among/ },
  { what: 'a rule of a badge the file does not list', pick: isItem('rule'), change: json((l) => (l.item.record.v.badge = 'silver')), error: /item rule "early" \/v: Not registered in service "shop": silver/ },
];

for (const kind of storeKinds.filter((k) => k.name !== 'lowdb on a file')) {
  describe(`import takes what the API would have made, all or nothing: ${kind.name}`, () => {
    test('every refusal names its line and field, leaves the store as it was, and the fixed file imports', async (t) => {
      const place = await kind.place();
      t.after(() => place.cleanup());
      const store = await place.open();
      const domain = composeDomain(store, { now: () => NOW });
      const good = await goodFile(store);
      // The service beside it, which no import may touch.
      await domain.createService('other', 'other-key-0123456789');
      await domain.putBadges('other', [{ name: 'gold', fields: {} }]);
      await domain.award('other', 'bob', ['gold']);
      const before = JSON.stringify([await store.listServices(), await store.listUsers('other', { offset: 0, limit: 10 })]);
      const run = (lines: string[]) => importStore(domain, store, Readable.from(lines.map((l) => l + '\n')), { now: () => NOW });

      for (const { what, pick, change, error } of CASES) {
        const { lines, at } = changed(good, pick, change);
        const refused = await run(lines).then(
          () => assert.fail(`${what}: imported`),
          (e: unknown) => e,
        );
        assert.ok(refused instanceof ImportError, `${what}: ${String(refused)}`);
        assert.match(refused.message, new RegExp(`^line ${at}: `), what);
        assert.match(refused.message, error, what);
        assert.equal(JSON.stringify([await store.listServices(), await store.listUsers('other', { offset: 0, limit: 10 })]), before, `${what}: the store is as it was`);
        assert.equal(await store.getService('shop'), undefined, what);
        assert.equal(await store.getService('_import-shop'), undefined, `${what}: nothing left under the hidden name`);
      }

      // Refused in the unit that writes the rule, after the records before it: nothing of them stays.
      const lastRule = changed(good, isItem('rule'), json((l) => (l.item.record.v.eventTypes = [{ source: 'app', type: 'task', action: 'missing' }])));
      await assert.rejects(run(lastRule.lines), /unknown_event_type/);
      assert.equal(await store.getService('shop'), undefined);

      const imported = await run(good);
      assert.deepEqual({ ...imported, header: undefined }, { services: 1, badges: 2, users: 1, items: good.length - 5, newKeys: [], header: undefined });
      assert.equal((await store.getService('shop'))!.key, 'shop-key-new-0123456789abcdef');
      assert.equal(JSON.stringify(await store.listUsers('other', { offset: 0, limit: 10 })), JSON.stringify(JSON.parse(before)[1]));
      assert.equal(await store.countItems('shop', 'event-rejected', {}), 1);
    });
  });
}

/**
 * A service with an item of every kind this version keeps, made as the API makes them: a person
 * with her addresses, invitations and redemptions, events and rules, keys, webhooks with a delivery
 * and an attempt, an integration, quotas and their usage, the audit trail.
 */
async function everyKind(store: Store): Promise<void> {
  let now = NOW;
  const domain = composeDomain(store, { now: () => now });
  await domain.createService('shop', 'shop-key-0123456789abcdef');
  await domain.run('shop', (tx) => setQuotas(tx, 'shop', { claim_codes: 500, redeliveries: 7 }));
  await domain.putBadges('shop', [{ name: 'gold', fields: { title: 'Gold' } }, { name: 'silver', fields: {} }, { name: 'bronze', fields: {} }]);
  await aPersonEverywhere(domain, store, (ms) => (now += ms), 'shop', { code: 'ABCDEFGHIJKLMNOPQRSTUVWX', secret: `whsec_${'A'.repeat(32)}` });
  await domain.run('shop', (tx) => createKey(tx, 'shop', { id: 'key_aaaaaaaaaaaaaaaaaaaa', secret: 'secret-secret-secret-secret', label: 'bot', operations: ['award'], badges: ['gold'], expiresAt: null }));
  await domain.run('shop', (tx) => makeClaimCodes(tx, 'shop', 'gold', ['BCDEFGHIJKLMNOPQRSTUVWXY'], 5, null, 'ccb_bbbbbbbbbbbbbbbbbbbb', { id: 'key_aaaaaaaaaaaaaaaaaaaa', expiresAt: null }));
  const integration = await domain.run('shop', (tx) => createIntegration(tx, 'shop', 'getbadges'));
  // An event for an address nobody has yet, kept pending (issue 24).
  await domain.run('shop', (tx) => ingest(tx, 'shop', [{ version: 0, eventType: { source: 'ci', type: 'build', action: 'failed' }, id: 7, email: 'nobody-yet@example.org' }], { via: 'getbadges', integration: integration.id }));
  await domain.run('shop', (tx) => setEventSettings(tx, 'shop', { retentionDays: 30 }));
  await domain.run('shop', async (tx) => startBackfill(tx, 'shop', { id: 'talker', ...((await tx.item('shop', 'rule', 'talker'))!.v as object) } as never, 10).then(() => scheduleStateSweep(tx, 'shop')));
  await domain.run('shop', (tx) => useHourlyQuota(tx, 'shop', 'redeliveries', DEFAULT_QUOTAS));
  await domain.run('shop', (tx) => rotateServiceKey(tx, 'shop', 'shop-key-new-0123456789abcdef', 86_400_000));
  // Issuers and programs (BadgeKit's), and what Open Badges keeps: an issuer's key, an award's place in a status list.
  await domain.run('shop', async (tx) => {
    await putIssuer(tx, 'shop', 'library', { name: 'Library', url: 'https://library.example.org' });
    await putProgram(tx, 'shop', 'summer', { issuer: 'library', name: 'Summer' });
  });
  const kek = keyEncryptionKey('an-import-test-secret-of-32-characters');
  await domain.run('shop', (tx) => ensureIssuerKey(tx, 'shop', 'library', () => generateIssuerKey('library', kek, new Date(now).toISOString())));
  const [award] = await store.listItems('shop', 'award', {});
  await domain.run('shop', (tx) => assignStatus(tx, 'shop', 'library', award!.id, false));
}

for (const kind of storeKinds.filter((k) => k.name !== 'lowdb on a file')) {
  test(`export then import gives back every kind of item, as it was: ${kind.name}`, async (t) => {
    const [from, to] = [await kind.place(), await kind.place()];
    t.after(() => Promise.all([from.cleanup(), to.cleanup()]));
    const source = await from.open();
    await everyKind(source);
    const kinds = await source.itemKinds('shop');
    assert.deepEqual(kinds, Object.keys(ITEMS).sort(), 'the service holds an item of every kind import knows, and no other');

    let text = '';
    await exportStore(source, new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) }), { service: 'shop' });
    const target = await to.open();
    const imported = await importStore(composeDomain(target, { now: () => NOW }), target, Readable.from([text]), { now: () => NOW });
    assert.equal(imported.items, text.split('\n').filter((line) => line.startsWith('{"item"')).length);

    const everything = async (store: Store) => ({
      service: await store.getService('shop'),
      badges: await store.listBadges('shop'),
      users: (await store.listUsers('shop', { offset: 0, limit: 100 })).users,
      items: Object.fromEntries(await Promise.all((await store.itemKinds('shop')).map(async (k) => [k, await store.listItems('shop', k, {})] as const))),
    });
    assert.deepEqual(await everything(target), await everything(source));
  });
}
