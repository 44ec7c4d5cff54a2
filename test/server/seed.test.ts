import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedIfEmpty } from '../../server/app/open-store.js';
import { start } from './harness.js';

test('serve seeds the learning program of /demo/learning.html: badges with images, progress and unearned ones', async (t) => {
  const h = await start({ store: { seed: false } });
  t.after(() => h.close());
  const seeded = await seedIfEmpty(h.store, { learning: true });
  assert.equal(seeded?.service, 'demo');
  assert.deepEqual((await h.store.listServices()).map((s) => s.name), ['demo', 'learning']);
  const maya = await h.request('GET', '/v1/learning/users/maya.json?states=all&tags=learning');
  assert.equal(maya.status, 200);
  const byName = Object.fromEntries(maya.json.badges.map((b: { name: string }) => [b.name, b]));
  assert.equal(byName['css-course'].state, 'earned');
  assert.deepEqual([byName['a11y-course'].state, byName['a11y-course'].progress], ['in_progress', { current: 4, goal: 6 }]);
  assert.equal(byName.graduate.state, 'unearned');
  const badges = await h.request('GET', '/v1/learning/badges.json');
  assert.equal(badges.json.badges.find((b: { name: string }) => b.name === 'graduate').image, '/demo/img/graduate.svg');
  assert.equal(await seedIfEmpty(h.store, { learning: true }), undefined, 'a store with services is left alone');
});
