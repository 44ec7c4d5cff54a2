import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { axe, describeViolations, open, shot, signIn, signInAsOperator, visit, withCommunity } from './browser.js';
import { OPERATOR, type Community } from './community.js';

/**
 * What the console offers follows who signed in: a scoped key sees only what it may do (read from
 * keys/me.json); the operator token adds the services page, where a service is made, given a new
 * key with a grace period, opened and deleted.
 */

let c: Community;
let browser: Browser;
withCommunity((started) => {
  ({ c, browser } = started);
});

test('a key that may award and revoke is offered awards, not keys, rules, webhooks, the audit trail or settings', async () => {
  const { context, page, errors } = await open(browser);
  await signIn(page, c, c.awarderToken);
  const nav = page.getByRole('navigation', { name: 'Pages' });
  assert.deepEqual((await nav.getByRole('link').allTextContents()).map((t) => t.trim()), ['Overview', 'Badges', 'Awards', 'Members', 'Invitations & codes']);
  await page.locator('.who', { hasText: 'Forum moderators' }).waitFor();
  // The key is nowhere in clear: not in either storage, not in the URL; a reload still signs in.
  const kept = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href, cookie: document.cookie }));
  const secret = c.awarderToken.split('.').at(-1)!;
  assert.ok(!kept.includes(secret) && !kept.includes(c.awarderToken), `the key is kept in clear: ${kept}`);
  assert.match(kept, /user-badges-admin\/session/, 'an encrypted copy is kept for reloads');
  await page.reload();
  await page.locator('.who', { hasText: 'Forum moderators' }).waitFor();

  await visit(page, c, 'badges');
  assert.equal(await page.getByRole('link', { name: 'New badge' }).count(), 0, 'no badge may be made');
  await visit(page, c, 'awards');
  await page.locator('button[value=award]').waitFor();
  await page.locator('button[value=revoke]').waitFor();
  await visit(page, c, 'overview');
  await page.getByText('may not read the figures').waitFor();
  for (const route of ['keys', 'rules', 'webhooks', 'audit', 'settings']) {
    await visit(page, c, route);
    assert.equal(await page.locator('main h1').textContent(), 'Not available', `${route} is not offered`);
  }
  await shot(page, 'scoped-key-not-available');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the operator makes a service, gives it a new key with a grace period, opens it and deletes it', async () => {
  const { context, page, errors } = await open(browser);
  await signInAsOperator(page, c);
  await page.getByLabel('Name', { exact: true }).fill('guild');
  await page.getByRole('button', { name: 'Create service' }).click();
  const first = (await page.locator('.secret code').textContent())!;
  await page.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'New key for guild' }).click();
  await page.getByRole('dialog').getByLabel('Keep the old key working for').selectOption('24h');
  await page.getByRole('dialog').getByRole('button', { name: 'Make a new key' }).click();
  await page.getByText(/The old key works until/).waitFor();
  const second = (await page.locator('.secret code').textContent())!;
  assert.notEqual(second, first);
  const me = (key: string) => fetch(`${c.base}/v1/guild/keys/me.json`, { headers: { authorization: key } }).then((r) => r.status);
  assert.deepEqual([await me(first), await me(second)], [200, 200], 'both keys work during the grace period');

  await page.getByRole('button', { name: 'Open guild' }).click();
  await page.locator('main h1', { hasText: 'Overview' }).waitFor();
  // The operator sets the service's quotas on its settings page.
  await visit(page, c, 'settings');
  assert.equal(describeViolations(await axe(page)), '', 'the settings page with quotas has no axe violation');
  await shot(page, 'settings-operator-1280-light');
  await page.getByLabel('Webhook endpoints').fill('5');
  await page.getByRole('button', { name: 'Save quotas' }).click();
  await page.getByText('Quotas saved').waitFor();
  const quotas = await fetch(`${c.base}/admin/services/guild/quotas`, { headers: { authorization: `Bearer ${OPERATOR}` } }).then((r) => r.json());
  assert.equal(quotas.quotas.webhook_endpoints.own, 5);
  assert.equal(quotas.quotas.events.own, null, 'a quota left empty keeps the default');
  await page.getByRole('link', { name: 'All services' }).click();
  await page.getByRole('button', { name: 'Delete guild' }).click();
  const dialog = page.getByRole('dialog');
  const confirm = dialog.getByRole('button', { name: 'Delete this service' });
  assert.ok(await confirm.isDisabled(), 'deleting waits for the name to be typed');
  await dialog.getByRole('textbox').fill('guild');
  await confirm.click();
  await page.getByText('Deleted guild').waitFor();
  assert.equal(await me(second), 404, 'the service is gone');
  assert.deepEqual(errors, []);
  await context.close();
});
