/**
 * Badges that travel (issue 22): the details card of a badge that has an Open Badges credential
 * offers "Verify" and downloads (the signed JSON-LD, the VC-JWT, the baked PNG) without leaving the
 * page, and lists the holder's portable badges; against the real display server (service `demo`,
 * its credentials signed with the development secret). The open `test` service issues none.
 */
import { clearCache, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, mount, server, serverLog, settled, waitFor } from './helpers.js';

const one = (service: string, user: string) => mount(`<user-badges server="${server}" service="${service}" user="${user}"></user-badges>`).firstElementChild as UserBadgesElement;

/** Opens the card of the element's first badge, as a keyboard user does. */
const open = (el: UserBadgesElement, index = 0) => {
  const badge = $$(el, '.userbadge')[index]!;
  ((badge.querySelector('a') as HTMLElement | null) ?? badge).focus();
  return badge.querySelector<HTMLElement>('.details')!;
};

/** What a click on a download saves: the anchor's file name and the bytes behind its blob URL. */
async function saved(act: () => void): Promise<{ file: string; body: Blob; location: string }> {
  const click = HTMLAnchorElement.prototype.click;
  let got: HTMLAnchorElement | undefined;
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    got = this;
  };
  try {
    act();
    const a = await waitFor(() => got, 'the download');
    equal(a.href.slice(0, 5), 'blob:', 'a blob of what was fetched, not a link away');
    return { file: a.download, body: await (await fetch(a.href)).blob(), location: location.href };
  } finally {
    HTMLAnchorElement.prototype.click = click;
  }
}

describe('portable badges (Open Badges) in the details card', () => {
  beforeEach(() => clearCache());

  it('offers verify and downloads for a badge with a credential, without leaving the page', async () => {
    const el = one('demo', 'daniel');
    equal(await settled(el), 'ready');
    const card = open(el);
    const box = await waitFor(() => card.querySelector('.portable'), 'the portable part of the card', 15000);
    const buttons = [...box.querySelectorAll('button')];
    equal(
      buttons.map((b) => b.textContent),
      ['Verify', 'JSON', 'JWT', 'Image'],
    );
    assert(card.getBoundingClientRect().width > 1, 'the card is open while focus is in it');

    const here = location.href;
    buttons[0]!.focus();
    buttons[0]!.click();
    const status = box.querySelector('[role="status"]') as HTMLElement;
    await waitFor(() => /^✓|^✗/.test(status.textContent!), 'the verification', 30000);
    assert(status.textContent!.startsWith('✓ Verified'), status.textContent!);
    equal(status.dataset.ok, 'true');

    const json = await saved(() => buttons[1]!.click());
    assert(/^\w[\w-]*-aw_[a-z2-7]{20}\.json$/.test(json.file), json.file);
    const credential = JSON.parse(await json.body.text());
    assert(credential.type.includes('OpenBadgeCredential'), JSON.stringify(credential.type));
    equal(credential.proof.cryptosuite, 'eddsa-rdfc-2022');
    const jwt = await saved(() => buttons[2]!.click());
    equal((await jwt.body.text()).split('.').length, 3, 'a compact JWS');
    const png = await saved(() => buttons[3]!.click());
    equal([...new Uint8Array(await png.body.arrayBuffer()).slice(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    equal(location.href, here, 'still on the page');

    // The holder's portable badges, each linked to its public page.
    const links = [...box.querySelectorAll<HTMLAnchorElement>('details a')];
    equal(box.querySelector('summary')!.textContent, `daniel's portable badges (${links.length})`);
    assert(links.length === $$(el, '.userbadge').length, 'every badge of daniel travels');
    for (const a of links) assert(/\/v1\/demo\/openbadges\/awards\/aw_[a-z2-7]{20}$/.test(a.href), a.href);
    el.parentElement!.remove();
  });

  it("reads the user's awards once, however many cards open", async () => {
    const el = one('demo', 'bob');
    equal(await settled(el), 'ready');
    const before = (await serverLog()).length;
    for (const i of [0, 1, 0]) await waitFor(() => open(el, i).querySelector('.portable'), 'the portable part', 15000);
    const reads = (await serverLog()).slice(before).filter((l) => l.includes('/users/bob.json'));
    equal(reads.length, 1, reads.join(', '));
    el.parentElement!.remove();
  });

  it('adds nothing where the service issues no credentials (the open test service)', async () => {
    const el = one('test', 'daniel');
    if ((await settled(el)) !== 'ready') return assert(false, 'the test service has daniel');
    const card = open(el);
    // Its read answers; once it has, the card stays as it was.
    await waitFor(async () => (await serverLog()).some((l) => l.includes('/v1/test/users/daniel.json')), "the user's read", 15000);
    await new Promise((r) => setTimeout(r, 200));
    equal(card.querySelector('.portable'), null);
    assert($(el, '.details b'), 'the card itself is there');
    el.parentElement!.remove();
  });
});
