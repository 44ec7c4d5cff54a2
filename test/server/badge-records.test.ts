import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadgeRecords } from '../../server/cache/badge-records.js';
import { within } from '../support/deadline.js';
import { nextChange, quiet, writerAndReader } from '../support/feed.js';
import { storeKinds } from '../support/stores.js';

/** Single badges' records kept until the change feed names them (server/cache/badge-records.ts). */

for (const kind of storeKinds.filter((k) => k.name !== 'lowdb on a file')) {
  describe(`badge records kept, on ${kind.name}`, () => {
    test('a record is read once, and again after its badge changed (an award, a field, a deletion), also when written through another instance', { timeout: 60_000 }, async (t) => {
      const { reader, domain } = await writerAndReader(kind, t, [{ name: 'gold', fields: { type: 'gold' } }]);
      await within(quiet(reader), 10_000, 'the feed to tell of the writes so far');
      let reads = 0;
      const records = new BadgeRecords({ feed: reader.feed, getBadges: (service, names) => (reads++, reader.getBadges(service, names)) });
      const write = async (work: () => Promise<unknown>) => {
        const heard = nextChange(reader, 'shop');
        await work();
        await within(heard, 10_000, 'the feed to tell of the write');
      };

      assert.equal((await records.get('shop', 'gold'))?.count, 0);
      assert.equal((await records.get('shop', 'gold'))?.count, 0);
      assert.equal(reads, 1, 'the second read is kept');
      assert.equal(await records.get('shop', 'silver'), undefined);
      assert.equal(await records.get('shop', 'silver'), undefined);
      assert.equal(reads, 2, 'so is a badge that does not exist');

      await write(() => domain.award('shop', 'ann', ['gold']));
      assert.equal((await records.get('shop', 'gold'))?.count, 1, 'its count after an award');
      await write(() => domain.putBadges('shop', [{ name: 'silver', fields: { type: 'silver' } }]));
      assert.equal((await records.get('shop', 'silver'))?.fields.type, 'silver', 'a badge made after it was missed');
      await write(() => domain.award('shop', 'ben', ['silver']));
      assert.equal((await records.get('shop', 'gold'))?.count, 1, "another badge's award keeps it");
      assert.equal(reads, 4);
      await write(() => domain.deleteBadges('shop', ['gold']));
      assert.equal(await records.get('shop', 'gold'), undefined, 'deleted');
    });
  });
}
