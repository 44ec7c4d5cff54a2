import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, axe, describeViolations, open, withCommunity } from './browser.js';
import type { Community } from './community.js';

/**
 * The API reference the server hosts at /docs (demo/docs.html, rendered from /openapi.json), in the
 * browser (issue 24.8): the package's version; nothing wider than a phone's 375 px (a long path or an
 * example scrolls inside its own box, never the page); an example request per operation; a search by
 * path, summary and tag that works from the keyboard and moves nothing above the results.
 */

let c: Community;
let browser: Browser;
withCommunity((started) => {
  ({ c, browser } = started);
});

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function load(page: Page, c: Community): Promise<number> {
  await page.goto(`${c.base}/docs`);
  await page.locator('.operation').first().waitFor();
  return page.locator('.operation').count();
}

/** What the screen shows (the whole page is some 60,000 px long): kept in test-artifacts/admin/. */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, caret: 'initial' });
}

const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

for (const scheme of ['light', 'dark'] as const) {
  test(`at 375 px (${scheme}) nothing scrolls sideways but examples in their own boxes`, async () => {
    const { context, page, errors } = await open(browser, { width: 375, scheme });
    const total = await load(page, c);
    assert.ok(total > 100, `${total} operations`);
    assert.ok((await scrollWidth(page)) <= 375, `the page is ${await scrollWidth(page)} px wide at 375`);
    // Every section, heading and list is within the screen; only an example's <pre> may hold wider lines.
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('pre') && e.getBoundingClientRect().right > 375.5)
        .slice(0, 5)
        .map((e) => `${e.tagName}.${e.className}: ${(e.textContent ?? '').slice(0, 60)}`),
    );
    assert.deepEqual(wide, []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the version is the package\'s; every operation has an example request, and one with a body sends an example of it', async () => {
  const { context, page, errors } = await open(browser);
  await load(page, c);
  assert.match((await page.locator('.version').textContent())!, new RegExp(`user-badges display server ${version.replaceAll('.', '\\.')} `));
  const doc = (await (await fetch(`${c.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  const withBody = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([, op]) => op.requestBody).map(([m]) => `${m.toUpperCase()} ${path}`));
  const found = await page.evaluate(() =>
    [...document.querySelectorAll('.operation')].map((op) => ({
      name: op.querySelector('h3')!.textContent!.replace(/\s+/, ' '),
      request: op.querySelector('.sample pre')?.textContent ?? '',
    })),
  );
  assert.equal(found.filter((f) => !f.request.startsWith('curl')).length, 0, 'every operation has a curl example');
  const withoutBody = withBody.filter((name) => !/ -d '/.test(found.find((f) => f.name === name)?.request ?? ''));
  assert.deepEqual(withoutBody, [], 'every operation that takes a body shows one');
  // The examples are the schemas' own: the badge registration sends what BadgesPut's example holds.
  const put = found.find((f) => f.name === 'PUT /v1/{service}/badges.json')!;
  assert.match(put.request, /curl -X PUT 'http:\/\/127\.0\.0\.1:\d+\/v1\/bakery\/badges\.json'/);
  assert.match(put.request, /"name": "commenter"/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the search filters operations by path, summary and tag, from the keyboard, and moves nothing above the results', async () => {
  for (const width of [1280, 375]) {
    const { context, page, errors } = await open(browser, { width });
    const total = await load(page, c);
    const search = page.getByLabel('Search operations');
    const before = await search.boundingBox();
    const main = await page.locator('#reference').boundingBox();

    // "/" anywhere goes to the search, as on GitHub.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'search');

    const visible = () => page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.operation')].filter((e) => e.offsetParent !== null).map((e) => e.dataset.search!));
    // By path.
    await page.keyboard.type('claim-codes');
    let shown = await visible();
    assert.ok(shown.length > 2 && shown.length < total, `${shown.length} of ${total}`);
    assert.ok(shown.every((s) => s.includes('claim-codes')));
    assert.equal(await page.locator('#search-status').textContent(), `${shown.length} of ${total} operations`);
    assert.equal(await page.locator('#contents li[data-op]:visible').count(), width >= 960 ? shown.length : 0);
    assert.deepEqual(await search.boundingBox(), before, 'the search box stays where it was');
    assert.deepEqual((await page.locator('#reference').boundingBox())!.y, main!.y, 'the results start where they did');
    assert.ok((await scrollWidth(page)) <= width);
    if (width === 1280) await shot(page, 'api-reference-search');

    // By summary words, in any order, and by tag.
    await search.fill('leaderboard points');
    shown = await visible();
    assert.ok(shown.length >= 1 && shown.every((s) => s.includes('leaderboard') && s.includes('points')), shown.join('\n'));
    await search.fill('openbadges');
    shown = await visible();
    assert.ok(shown.length > 3 && shown.every((s) => s.includes('openbadges')));
    await search.fill('no such thing');
    assert.equal((await visible()).length, 0);
    assert.match((await page.locator('#no-match').textContent())!, /No operation matches “no such thing”/);

    // Escape clears; Enter goes to the first operation found.
    await search.press('Escape');
    assert.equal(await search.inputValue(), '');
    assert.equal((await visible()).length, total);
    await search.fill('redeem.json');
    await search.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#post--v1-service-claim-codes-code-redeem-json');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'post--v1-service-claim-codes-code-redeem-json');
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('light and dark at 1280 and 375 px: axe finds nothing; screenshots kept', async () => {
  const found: string[] = [];
  for (const width of [1280, 375]) {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await open(browser, { width, scheme });
      await load(page, c);
      await shot(page, `api-reference-${width}-${scheme}`);
      const violations = await axe(page);
      if (violations.length) found.push(`${width} ${scheme}:\n${describeViolations(violations)}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  }
  assert.deepEqual(found, []);
});
