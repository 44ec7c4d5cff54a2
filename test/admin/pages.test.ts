import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { axe, describeViolations, open, shot, signIn, signInAsOperator, visit, withCommunity } from './browser.js';
import type { Community } from './community.js';

/**
 * Every page of the console, light and dark, at a desktop's 1280 px and a phone's 375 px: axe-core
 * finds no violation on any, nothing is logged as an error, nothing is wider than the window, and
 * a screenshot of each is kept in test-artifacts/admin/ for a person to look at.
 */

let c: Community;
let browser: Browser;
let endpoint: string;
withCommunity(async (started) => {
  ({ c, browser } = started);
  endpoint = (await c.call('GET', '/webhooks.json')).endpoints[0].id;
});

const SERVICE_PAGES = () => [
  'overview',
  'badges',
  'badges/new',
  'badges/edit/welcome',
  'awards',
  'members',
  'members/mira',
  'rules',
  'rules/new',
  'rules/edit/first-topic',
  'invitations',
  'keys',
  'webhooks',
  `webhooks/${endpoint}`,
  'audit',
  'settings',
];

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 375]) {
    test(`every page of a service, ${scheme}, ${width} px: no axe violation, no error, nothing wider than the window`, async () => {
      const { context, page, errors } = await open(browser, { width, scheme });
      await signIn(page, c);
      const found: string[] = [];
      for (const route of SERVICE_PAGES()) {
        await visit(page, c, route);
        const violations = await axe(page);
        if (violations.length) found.push(`${route}:\n${describeViolations(violations)}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${route} at ${width} px is ${overflow} px wider than the window`);
        await shot(page, `${route.replace(/\//g, '-').replace(endpoint, 'endpoint')}-${width}-${scheme}`);
      }
      assert.equal(found.join('\n\n'), '', 'axe found violations');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  test(`the operator's pages, ${scheme}: no axe violation`, async () => {
    const { context, page, errors } = await open(browser, { scheme });
    await signInAsOperator(page, c);
    const found: string[] = [];
    for (const route of ['services', 'transfer']) {
      await visit(page, c, route);
      const violations = await axe(page);
      if (violations.length) found.push(`${route}:\n${describeViolations(violations)}`);
      await shot(page, `${route}-1280-${scheme}`);
    }
    assert.equal(found.join('\n\n'), '', 'axe found violations');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the sign-in page: no axe violation, light and dark', async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const { context, page } = await open(browser, { scheme });
    await page.goto(`${c.base}/admin`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(describeViolations(await axe(page)), '');
    await shot(page, `sign-in-1280-${scheme}`);
    await context.close();
  }
});
