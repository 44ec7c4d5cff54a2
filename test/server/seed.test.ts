import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedIfEmpty } from '../../server/app/open-store.js';
import { ROOT } from '../support/serve.js';
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

test('every link of the demo badges leads to a page that exists (issue 24.10: "donated" led to a JSON 404)', async (t) => {
  const h = await start({ store: { seed: false }, config: { publicRoot: ROOT } });
  t.after(() => h.close());
  await seedIfEmpty(h.store);
  const badges = (await h.request('GET', '/v1/demo/badges.json')).json.badges as { name: string; link?: string }[];
  const links = badges.filter((b) => b.link);
  assert.ok(links.length >= 4, 'the demo badges have links');
  for (const { name, link } of links) {
    const page = await fetch(new URL(link!, h.base));
    assert.equal(page.status, 200, `${name}: ${link}`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/, `${name}: ${link} is a page`);
  }
  // The page reads the badge from the public list, where it is.
  const script = await fetch(new URL('/demo/badge.js', h.base));
  assert.equal(script.status, 200);
});
