import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { open, settle, shot, signIn, until, visit, withCommunity } from './browser.js';
import type { Community } from './community.js';

/**
 * A community manager's day in the console, in a real Chromium against a real server: sign in,
 * create a badge, award it by email, watch another tab's plot gain the award and its feed show
 * it, find the webhook deliveries that a broken receiver refused, and redeliver once it is fixed.
 */

let c: Community;
let browser: Browser;
withCommunity((started) => {
  ({ c, browser } = started);
});

const HOOK = '/hooks/community';

test('sign in, create a badge, award it by email; the plot and the feed show it; a failed delivery is redelivered', async () => {
  const watcher = await open(browser);
  const manager = await open(browser);

  // The other tab watches the overview; its figures of today before the award.
  await signIn(watcher.page, c);
  await visit(watcher.page, c, 'overview');
  const totalTile = watcher.page.getByTestId('awards-total');
  const before = Number((await totalTile.textContent())!.replace(/\D/g, ''));
  assert.ok(before > 0, 'the community has awards of the last days');
  // The plot's table view: today's row, summed over the badges' lines.
  const plot = watcher.page.locator('ub-plot', { hasText: 'Awards per day' });
  await plot.getByRole('button', { name: 'Show table' }).click();
  const todaysAwards = async () => (await plot.locator('tbody tr').last().locator('td').allTextContents()).reduce((sum, cell) => sum + (Number(cell.replace(/\D/g, '')) || 0), 0);
  const todayBefore = await todaysAwards();

  // Sign in, and create a badge.
  await signIn(manager.page, c);
  await visit(manager.page, c, 'badges/new');
  await manager.page.getByLabel('Name', { exact: true }).fill('helpful-reviewer');
  await manager.page.getByLabel('Title').fill('Helpful reviewer');
  await manager.page.getByLabel('Description').fill('Reviewed ten pull requests with kindness');
  await manager.page.getByRole('button', { name: 'Create badge' }).click();
  await manager.page.getByText('Created the badge helpful-reviewer').waitFor();
  assert.ok((await c.call('GET', '/badges.json?page_size=1000')).badges.some((b: { name: string }) => b.name === 'helpful-reviewer'));

  // The webhook receiver breaks: every delivery is answered 500 from now on.
  c.receiver.reply(HOOK, () => ({ status: 500 }));

  // Award it by email: a member's address, an address nobody has yet, and something that is not one.
  await visit(manager.page, c, 'awards');
  await manager.page.locator('#b-badge').selectOption('helpful-reviewer');
  await manager.page.getByLabel('Email addresses').fill('mira@example.org\nnew-reviewer@example.org, not-an-address');
  await manager.page.getByRole('button', { name: 'Award to 2 addresses' }).click();
  const results = manager.page.getByRole('table', { name: 'Result per address' });
  await results.getByRole('row', { name: /mira@example\.org.*AWARDED/ }).waitFor();
  await results.getByRole('row', { name: /new-reviewer@example\.org.*INVITED/ }).waitFor();
  await shot(manager.page, 'flow-awarded-by-email');
  const mira = await c.call('GET', '/users/mira.json');
  assert.ok(mira.badges.some((b: { name: string }) => b.name === 'helpful-reviewer'), 'mira holds the badge');

  // The watching tab: the feed shows the award and the plot gains it, without a reload.
  await watcher.page.getByRole('log', { name: 'Latest activity' }).getByText(/mira earned helpful-reviewer/).waitFor();
  await until(async () => Number((await totalTile.textContent())!.replace(/\D/g, '')) === before + 1, 'the awards total to gain one');
  await until(async () => (await todaysAwards()) === todayBefore + 1, "today's point of the plot to gain one");
  await shot(watcher.page, 'flow-overview-after-award');

  // The webhook page shows the failed delivery; fixed, redelivery reaches the receiver.
  await until(() => c.receiver.at(HOOK).some((r) => (r.verified as { payload?: any }).payload?.data?.badge === 'helpful-reviewer'), 'the award.created delivery');
  await visit(manager.page, c, 'webhooks');
  await manager.page.getByRole('link', { name: 'Forum notifications' }).click();
  const redeliver = manager.page.getByRole('button', { name: /^Redeliver award\.created/ }).first();
  await redeliver.waitFor();
  await shot(manager.page, 'flow-webhook-failed');
  c.receiver.reply(HOOK, () => ({ status: 204 }));
  const received = c.receiver.at(HOOK).length;
  await redeliver.click();
  await until(() => c.receiver.at(HOOK).length > received, 'the redelivered message at the receiver');
  const again = c.receiver.at(HOOK).at(-1)!;
  assert.ok('payload' in again.verified, 'the redelivered message is signed with the endpoint secret');
  await manager.page.locator('.label-success', { hasText: '204' }).first().waitFor();
  await settle(manager.page);
  await shot(manager.page, 'flow-webhook-redelivered');

  assert.deepEqual(watcher.errors, [], 'the watching tab logged no error');
  assert.deepEqual(manager.errors, [], 'the manager tab logged no error');
  await watcher.context.close();
  await manager.context.close();
});
