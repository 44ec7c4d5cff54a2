/**
 * The classic bundle on a page under a strict Content-Security-Policy (no inline script or style,
 * no eval), served by the test config at /__ub/csp.html: nothing is blocked and everything draws.
 */
import { assert, equal, server, waitFor } from './helpers.js';

type Frame = Window & { __violations: string[]; document: Document };

async function open(theme: string): Promise<Frame> {
  const iframe = document.createElement('iframe');
  iframe.src = '/__ub/csp.html?theme=' + theme;
  iframe.style.cssText = 'width: 600px; height: 200px';
  document.body.append(iframe);
  await new Promise((r) => (iframe.onload = r));
  return iframe.contentWindow as Frame;
}

describe('strict Content-Security-Policy', () => {
  for (const theme of ['auto', 'stackoverflow']) {
    it(`draws the element and the old markup with no violation (${theme})`, async () => {
      const win = await open(theme);
      const doc = win.document;
      const el = doc.querySelector('user-badges')!;
      await waitFor(() => el.getAttribute('state') === 'ready', 'element ready');
      const legacy = doc.querySelector('.userbadges')!;
      await waitFor(() => legacy.children.length === 3, 'legacy filled');
      const badge = el.shadowRoot!.querySelector('.userbadge')!;
      // The theme applied inside the shadow root and in the page.
      equal(win.getComputedStyle(badge).borderTopStyle, 'solid');
      const expected = theme === 'stackoverflow' ? 'rgb(59, 64, 69)' : 'rgb(246, 248, 250)';
      equal(win.getComputedStyle(badge).backgroundColor, expected);
      equal(win.getComputedStyle(legacy.firstElementChild!).backgroundColor, expected);
      // The structural styles are a constructed stylesheet, which CSP allows.
      assert(el.shadowRoot!.adoptedStyleSheets.length === 1);
      equal(win.__violations, []);
    });
  }

  it('loads each chunk it needs from the script\'s origin, versioned, under the same policy', async () => {
    const win = await open('auto');
    const doc = win.document;
    const els = [...doc.querySelectorAll('user-badges')];
    await waitFor(() => els.every((el) => el.getAttribute('state') === 'ready'), 'the four elements ready');
    // The details card is a chunk loaded when first used.
    (els[0]!.shadowRoot!.querySelector('a') as HTMLElement).focus();
    await waitFor(() => els[0]!.shadowRoot!.querySelector('.details')!.getBoundingClientRect().width > 1, 'the card shown');
    // The card, open, loads the part that offers a badge's Open Badges (portable) after it.
    const chunkUrls = () => win.performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/chunks/'));
    const urls = await waitFor(() => chunkUrls().some((u) => u.includes('/portable.js')) && chunkUrls(), 'the portable chunk');
    const names = urls.map((u) => /\/widget\/chunks\/(.+)\.js\?v=[0-9a-f]{12}$/.exec(u.slice(server.length))?.[1]).sort();
    equal(names, ['compact', 'details', 'grid', 'messages/de', 'portable', 'states', 'strings', 'summary'], urls.join('\n'));
    assert(urls.every((u) => u.startsWith(server + '/widget/chunks/')), 'from the script\'s origin');
    // What they draw: the German grid with its states, the summary, "+N".
    const grid = els[3]!.shadowRoot!;
    assert(grid.querySelector('.card[data-state=in_progress] [role=progressbar]'), 'a progress bar');
    assert(grid.querySelector('h3')!.textContent, 'a group heading');
    assert(grid.textContent!.includes('Noch nicht erhalten'), 'German');
    assert(els[2]!.shadowRoot!.querySelector('.tally'), 'the summary');
    assert(els[1]!.shadowRoot!.querySelector('button.more'), '"+N"');
    equal(win.__violations, []);
  });

  it('the policy is really enforced on that page', async () => {
    const win = await open('auto');
    const s = win.document.createElement('script');
    s.textContent = 'window.inlineRan = true';
    win.document.body.append(s);
    await new Promise((r) => setTimeout(r, 50));
    assert(!(win as unknown as { inlineRan?: boolean }).inlineRan, 'inline script blocked');
    assert(win.__violations.some((v) => v.startsWith('script-src')), 'violation recorded');
    assert(server.startsWith('http://127.0.0.1:'));
  });
});
