import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { open, shot, until, visit, withCommunity } from './browser.js';
import { KEY, SERVICE, type Community } from './community.js';

/**
 * The console without a mouse: every control of every page is reached with Tab and shows where the
 * focus is, and each form is filled and sent with the keyboard alone (Tab, typing, arrows, Space,
 * Enter); what it did is read back from the server.
 */

let c: Community;
let browser: Browser;
let page: Page;
let errors: string[];
withCommunity(async (started) => {
  ({ c, browser } = started);
  ({ page, errors } = await open(browser));
});

/** Presses Tab until the focus is on `selector` (at most `limit` times); fails naming it otherwise. */
async function tabTo(selector: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      const visible = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement!);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      });
      assert.ok(visible, `${selector} shows no focus outline`);
      return;
    }
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function type(text: string) {
  await page.keyboard.type(text);
}

/** Starts at the top of the page, as after a page load. */
async function fromTop(route: string) {
  await visit(page, c, route);
  assert.equal(await page.locator('nav#nav').count(), 1, 'signed in (the first test signs in)');
  // Where Tab starts on a fresh page: the skip link, the shell's first control.
  await page.evaluate(() => document.querySelector<HTMLElement>('.skip-link')!.focus());
}

test('sign in with the keyboard alone', async () => {
  await page.goto(`${c.base}/admin`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await tabTo('#s-service');
  await type(SERVICE);
  await tabTo('#s-key');
  await type(KEY);
  await page.keyboard.press('Enter');
  await page.locator('main h1', { hasText: 'Overview' }).waitFor();
});

test('every control of every page is reached with Tab and shows the focus', async () => {
  for (const route of ['overview', 'badges', 'badges/new', 'awards', 'members', 'members/mira', 'rules', 'rules/new', 'invitations', 'keys', 'webhooks', 'audit', 'settings']) {
    await fromTop(route);
    const controls = await page.evaluate(() => {
      const all = [...document.querySelectorAll<HTMLElement>('main :is(a[href], button, input, select, textarea, [tabindex="0"])')].filter(
        (e) => !(e as HTMLButtonElement).disabled && e.getClientRects().length > 0 && !e.closest('details:not([open]) > :not(summary)') && getComputedStyle(e).visibility !== 'hidden' && !(e instanceof HTMLInputElement && e.type === 'radio' && !e.checked),
      );
      all.forEach((e, i) => (e.dataset.kb = String(i)));
      return all.length;
    });
    const seen = new Set<string>();
    for (let i = 0; i < controls + 40 && seen.size < controls; i++) {
      await page.keyboard.press('Tab');
      const at = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        if (!e?.dataset.kb) return null;
        const style = getComputedStyle(e);
        return { kb: e.dataset.kb, outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0, what: e.outerHTML.slice(0, 80) };
      });
      if (!at) continue;
      assert.ok(at.outlined, `${route}: ${at.what} shows no focus outline`);
      seen.add(at.kb);
    }
    const missed = await page.evaluate((seen) => [...document.querySelectorAll<HTMLElement>('main [data-kb]')].filter((e) => !seen.includes(e.dataset.kb!)).map((e) => e.outerHTML.slice(0, 100)), [...seen]);
    assert.deepEqual(missed, [], `${route}: controls Tab never reached`);
  }
});

test('create a badge with the keyboard', async () => {
  await fromTop('badges/new');
  await tabTo('#f-name');
  await type('keyboard-hero');
  await tabTo('#f-title');
  await type('Keyboard hero');
  await tabTo('button.btn-primary');
  await page.keyboard.press('Enter');
  await page.getByText('Created the badge keyboard-hero').waitFor();
  assert.ok((await c.call('GET', '/badges.json?page_size=1000')).badges.some((b: { name: string }) => b.name === 'keyboard-hero'));
});

test('award one member and a pasted list with the keyboard', async () => {
  await fromTop('awards');
  await tabTo('#a-user');
  await type('kenji');
  await tabTo('#a-badge');
  // A closed select takes typed letters as a search of its options.
  await type('Keyboard');
  assert.equal(await page.locator('#a-badge').inputValue(), 'keyboard-hero');
  await tabTo('button[value=award]');
  await page.keyboard.press('Enter');
  await page.getByText('Awarded keyboard-hero to kenji').waitFor();
  assert.ok((await c.call('GET', '/users/kenji.json')).badges.some((b: { name: string }) => b.name === 'keyboard-hero'));

  await tabTo('#b-badge');
  await type('Keyboard');
  await tabTo('#b-emails');
  await type('amara@example.org');
  await page.keyboard.press('Enter');
  await type('someone-new@example.org');
  await tabTo('#b-emails ~ * button, form:has(#b-emails) button.btn-primary');
  await page.keyboard.press('Enter');
  await page.getByRole('table', { name: 'Result per address' }).getByRole('row', { name: /someone-new@example\.org.*INVITED/ }).waitFor();
  assert.ok((await c.call('GET', '/users/amara.json')).badges.some((b: { name: string }) => b.name === 'keyboard-hero'));
});

test('make a scoped key with the keyboard; its token is shown once', async () => {
  await fromTop('keys');
  await tabTo('#k-label');
  await type('Keyboard key');
  await tabTo('#k-op-award');
  await page.keyboard.press('Space');
  await tabTo('form:has(#k-label) button.btn-primary');
  await page.keyboard.press('Enter');
  await page.locator('.secret code').first().waitFor();
  const keys = (await c.call('GET', '/keys.json')).keys as { label: string; operations: string[] }[];
  assert.deepEqual(keys.find((k) => k.label === 'Keyboard key')?.operations, ['award']);
});

test('register a webhook endpoint with the keyboard', async () => {
  await fromTop('webhooks');
  await tabTo('#wh-url');
  await type(`${c.receiver.base}/hooks/keyboard`);
  await tabTo('input[name=events][value="badge.created"]');
  await page.keyboard.press('Space');
  await tabTo('form:has(input[name=url]) button.btn-primary');
  await page.keyboard.press('Enter');
  await until(async () => ((await c.call('GET', '/webhooks.json')).endpoints as { url: string }[]).find((e) => e.url.endsWith('/hooks/keyboard')), 'the endpoint registered');
});

test('make claim codes, add an event type, filter the audit trail with the keyboard', async () => {
  await fromTop('invitations');
  await tabTo('section[aria-labelledby=codes-title] select');
  await type('Keyboard');
  await tabTo('#c-count');
  await page.keyboard.press('Control+A');
  await type('2');
  await tabTo('form:has(#c-count) button.btn-primary');
  await page.keyboard.press('Enter');
  await until(async () => (await c.call('GET', '/badges/keyboard-hero/claim-codes.json')).codes?.length === 2, 'two claim codes of keyboard-hero');

  await fromTop('settings');
  await tabTo('#st-source');
  await type('wiki');
  await tabTo('#st-type');
  await type('page');
  await tabTo('#st-action');
  await type('edit');
  await page.keyboard.press('Enter');
  await until(async () => ((await c.call('GET', '/event-types.json')).eventTypes as { source: string }[]).some((t) => t.source === 'wiki'), 'the event type wiki/page/edit');

  await fromTop('audit');
  await tabTo('#au-user');
  await type('kenji');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/audit\/user\/kenji/);
  await page.locator('main').getByText(/kenji was awarded keyboard-hero/).first().waitFor();
});

test("erase a member with the keyboard: the confirmation says what goes, and wants the name typed", async () => {
  await fromTop('members/tomasz');
  await tabTo('button.btn-danger:is(:not([aria-label]))');
  while (!(await page.evaluate(() => document.activeElement?.textContent?.includes('Erase tomasz')))) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const said = (await dialog.textContent())!;
  assert.match(said, /badge/i, 'the confirmation names the badges that go');
  await shot(page, 'erase-confirmation');
  // The focus is in the dialog's field: the name, then Tab to the button and Enter.
  await type('tomasz');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByText(/Erased tomasz/).waitFor();
  const members = (await c.call('GET', '/members.json?q=tomasz')).members as unknown[];
  assert.equal(members.length, 0, 'tomasz is gone');
  assert.deepEqual(errors, []);
});
