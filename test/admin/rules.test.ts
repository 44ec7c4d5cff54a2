import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { open, shot, signIn, visit, withCommunity } from './browser.js';
import type { Community } from './community.js';

/**
 * A rule written after the events came: its editor previews who it would award (nothing awarded),
 * and a backfill applies it to the stored events with a progress bar, until every member is awarded.
 */

let c: Community;
let browser: Browser;
withCommunity((started) => {
  ({ c, browser } = started);
});

test('preview who a rule awards, then backfill it with progress', async () => {
  await c.call('PUT', '/badges.json', { badges: [{ name: 'first-post', description: 'Wrote a first post' }] });
  await c.call('POST', '/rules.json', { id: 'first-post', badge: 'first-post', condition: 'first', eventTypes: [{ source: 'forum', type: 'post', action: 'create' }] });
  const { context, page, errors } = await open(browser);
  await signIn(page, c);

  await visit(page, c, 'rules/edit/first-post');
  await page.getByRole('button', { name: 'Preview who it awards' }).click();
  const preview = page.getByRole('region', { name: 'Preview' });
  await preview.getByText('20 members').waitFor();
  assert.equal((await c.call('GET', '/badges.json?page_size=1000')).badges.find((b: { name: string }) => b.name === 'first-post').count ?? 0, 0, 'a preview awards nothing');

  await visit(page, c, 'rules');
  await page.getByRole('button', { name: 'Backfill first-post' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('20 members').waitFor();
  await dialog.getByRole('button', { name: 'Backfill' }).click();
  const box = page.getByRole('region', { name: 'Backfill of first-post' });
  await box.getByText('Done: 20 awards to 20 members.').waitFor();
  assert.equal(await box.locator('progress').getAttribute('value'), await box.locator('progress').getAttribute('max'), 'the bar is full');
  await shot(page, 'rules-backfilled');
  for (const user of ['mira', 'kenji', 'ravi']) {
    assert.ok((await c.call('GET', `/users/${user}.json`)).badges.some((b: { name: string }) => b.name === 'first-post'), `${user} was awarded by the backfill`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
