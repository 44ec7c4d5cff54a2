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

    test("several records at once: in the order asked, those not kept in one read, a record dropped during another's read still answered", { timeout: 60_000 }, async (t) => {
      const badges = ['gold', 'silver', 'bronze', 'tin'].map((name) => ({ name, fields: { type: name } }));
      const { reader, domain } = await writerAndReader(kind, t, badges);
      await within(quiet(reader), 10_000, 'the feed to tell of the writes so far');
      const asked: string[][] = [];
      let during: (() => Promise<void>) | undefined;
      const records = new BadgeRecords({
        feed: reader.feed,
        getBadges: async (service, names) => {
          asked.push([...names]);
          const found = await reader.getBadges(service, names);
          await during?.();
          return found;
        },
      });
      const names = (list: { name: string }[]) => list.map((b) => b.name);

      assert.deepEqual(names(await records.many('shop', ['silver', 'nope', 'gold'])), ['silver', 'gold']);
      assert.deepEqual(names(await records.many('shop', ['bronze', 'gold', 'silver'])), ['bronze', 'gold', 'silver']);
      assert.deepEqual(asked, [['silver', 'nope', 'gold'], ['bronze']], 'each missing name read once, in one query');
      assert.deepEqual(names(await records.many('shop', ['gold', 'nope'])), ['gold']);
      assert.equal(asked.length, 2, 'kept, the missing one too');

      // While tin is read, an award to gold drops gold's record; tin, read meanwhile, is not kept
      // either (the change may have come after its read).
      during = async () => {
        during = undefined;
        const heard = nextChange(reader, 'shop');
        await domain.award('shop', 'ann', ['gold']);
        await within(heard, 10_000, 'the feed to tell of the award');
      };
      assert.deepEqual(names(await records.many('shop', ['tin'])), ['tin']);
      assert.equal(during, undefined, 'the award was made during the read');
      const before = asked.length;
      const after = await records.many('shop', ['gold', 'tin', 'silver']);
      assert.deepEqual(names(after), ['gold', 'tin', 'silver']);
      assert.equal(after[0]!.count, 1, "gold's count after the award");
      assert.deepEqual(asked.slice(before), [['gold', 'tin']], 'silver still kept: the award named gold only');
    });

    test('a record kept when a read starts is answered even if the feed drops it before the read ends', { timeout: 60_000 }, async (t) => {
      const badges = ['gold', 'silver'].map((name) => ({ name, fields: { type: name } }));
      const { reader, domain } = await writerAndReader(kind, t, badges);
      await within(quiet(reader), 10_000, 'the feed to tell of the writes so far');
      let during: (() => Promise<void>) | undefined;
      const records = new BadgeRecords({
        feed: reader.feed,
        getBadges: async (service, names) => {
          const found = await reader.getBadges(service, names);
          await during?.();
          return found;
        },
      });
      await records.get('shop', 'gold');
      during = async () => {
        during = undefined;
        const heard = nextChange(reader, 'shop');
        await domain.award('shop', 'ann', ['gold']);
        await within(heard, 10_000, 'the feed to tell of the award');
      };
      // gold is kept when this starts; silver is read, and meanwhile gold's record is dropped.
      const both = await records.many('shop', ['gold', 'silver']);
      assert.deepEqual(both.map((b) => b.name), ['gold', 'silver']);
      assert.equal(both[0]!.count, 0, 'as kept when the read started');
    });
  });
}
