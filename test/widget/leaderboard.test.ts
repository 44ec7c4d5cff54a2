/**
 * `<user-badges-leaderboard>` (issue 21), its own script from the display server: ranks, paging,
 * live updates, and no axe violations in light and dark.
 */
import { emulateMedia } from '@web/test-runner-commands';
import { assert, axe, equal, mount, server, waitFor } from './helpers.js';

const rows = (el: Element) => [...el.shadowRoot!.querySelectorAll('li')].map((li) => [li.querySelector('.rank')!.textContent!.replace('Rank ', ''), li.querySelector('.name')!.textContent!, li.querySelector('.score')!.textContent!.trim()]);
const badge = `lb${Date.now().toString(36)}`;

async function put(path: string, body: unknown) {
  const res = await fetch(`${server}/v1/test/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert(res.ok, `${path}: ${res.status} ${await res.text()}`);
}

async function noViolations(root: Element) {
  const result = await (await axe()).run(root, { resultTypes: ['violations'], preload: false });
  equal(result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], 'axe violations');
}

before(async () => {
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${server}/widget/user-badges-leaderboard.js`;
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
  await customElements.whenDefined('user-badges-leaderboard');
  await put('badges.json', { badges: [{ name: badge, points: 3 }] });
  await put('users/lb-ann.json', { badges: [badge, badge] });
  await put('users/lb-bob.json', { badges: [badge] });
  await put('users/lb-cy.json', { badges: [badge] });
});

describe('<user-badges-leaderboard>', () => {
  afterEach(() => emulateMedia({ colorScheme: 'light' }));

  it("ranks a badge's holders, a page at a time", async () => {
    const el = mount(`<user-badges-leaderboard service="test" server="${server}" badge="${badge}" limit="2" user-href="/users/{name}"></user-badges-leaderboard>`).firstElementChild!;
    await waitFor(() => el.shadowRoot!.querySelector('li'), 'the rows');
    equal(rows(el), [['1', 'lb-ann', '2 times'], ['2', 'lb-bob', '1 time']]);
    equal(el.shadowRoot!.querySelector('a')!.getAttribute('href'), '/users/lb-ann');
    (el.shadowRoot!.querySelector('button') as HTMLButtonElement).click();
    await waitFor(() => el.shadowRoot!.querySelectorAll('li').length == 3, 'the next page');
    equal(rows(el)[2], ['3', 'lb-cy', '1 time']);
    assert(!el.shadowRoot!.querySelector('button'), 'no more pages');
  });

  it('live: an award reorders the board without a reload, and says so politely', async () => {
    const el = mount(`<user-badges-leaderboard service="test" server="${server}" badge="${badge}" live></user-badges-leaderboard>`).firstElementChild!;
    await waitFor(() => el.shadowRoot!.querySelectorAll('li').length == 3, 'the rows');
    await new Promise((r) => setTimeout(r, 500));
    await put('users/lb-cy.json', { badges: [badge, badge, badge] });
    await waitFor(() => rows(el)[0]?.[1] == 'lb-cy', 'lb-cy on top', 10_000);
    equal(rows(el)[0], ['1', 'lb-cy', '4 times']);
    assert(el.shadowRoot!.querySelector('li[data-changed]'), 'the row that moved is marked');
    const status = el.shadowRoot!.querySelector('[role="status"]')!;
    assert(/lb-cy/.test(status.textContent!), status.textContent!);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`no axe violations, ${scheme}`, async () => {
      await emulateMedia({ colorScheme: scheme });
      const host = mount(`<div style="background:${scheme == 'dark' ? '#0d1117' : '#fff'};padding:8px">
        <user-badges-leaderboard service="test" server="${server}" badge="${badge}" user-href="/u/{name}"></user-badges-leaderboard>
        <user-badges-leaderboard service="test" server="${server}" theme="${scheme}" period="week"></user-badges-leaderboard></div>`);
      for (const el of host.querySelectorAll('user-badges-leaderboard')) await waitFor(() => el.shadowRoot!.querySelector('li'), 'rows');
      await noViolations(host);
    });
  }
});
