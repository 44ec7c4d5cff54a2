import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import fc from 'fast-check';
import { SORT_KEYS } from '../../types/api.js';
import { sortUsers } from '../../server/core/order.js';
import { openStore } from '../../server/stores/index.js';

describe('paging orders kept up to date as users change', () => {
  test('property: after any awards and revocations, every page order equals a full sort', async () => {
    const step = fc.record({
      user: fc.constantFrom('ann', 'bo', 'cy', 'dee', 'Éli', 'zed', 'ann2', 'B'),
      badges: fc.subarray(['a', 'b', 'c'], { minLength: 1 }),
      revoke: fc.boolean(),
      day: fc.integer({ min: 1, max: 28 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (steps, pageSize) => {
        const store = await openStore();
        await composeDomain(store).createService('s', 'k');
        await composeDomain(store).putBadges('s', ['a', 'b', 'c'].map((name) => ({ name, fields: {} })));
        // Build every index first, so that the steps below exercise the incremental updates.
        for (const sort of SORT_KEYS) await store.listUsers('s', { sort, offset: 0, limit: 1 });
        for (const { user, badges, revoke, day } of steps) {
          if (revoke && (await store.getUser('s', user))) await composeDomain(store).revoke('s', user, badges);
          else await composeDomain(store).award('s', user, badges, new Date(Date.UTC(2026, 0, day)));
        }
        const all = (await store.listUsers('s', { sort: 'name', offset: 0, limit: 1000 })).users;
        for (const sort of SORT_KEYS) {
          const expected = sortUsers([...all], sort).map((u) => u.name);
          const paged: string[] = [];
          for (let offset = 0; offset < expected.length + pageSize; offset += pageSize) {
            const page = await store.listUsers('s', { sort, offset, limit: pageSize });
            assert.equal(page.total, expected.length);
            paged.push(...page.users.map((u) => u.name));
          }
          assert.deepEqual(paged, expected, sort);
        }
        await store.close();
      }),
      { numRuns: 150 },
    );
  });
});
