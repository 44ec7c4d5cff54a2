import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_WAITING_RENDERS, rendersWaiting, svgToPng } from '../../server/http/flair/png.js';
import { decodePng, differingPixels } from '../support/png.js';
import { start, type Harness } from './harness.js';

/**
 * Flair without JavaScript (issue 21): SVG and PNG images of a user's badges and of one badge, on
 * the store TEST_STORE names. An SVG is a document (everything escaped); the PNG's text is drawn
 * with the bundled font, which the test checks by looking at the pixels.
 */

let h: Harness;
const KEY = 'flair-key-0123456789';
const auth = { authorization: KEY };
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.base}/v1/flair${path}`, { headers });
// A user name may hold anything but control characters, "," and "/".
const HOSTILE = `Eve <script>alert("x") & 'co'`;

describe('flair', () => {
  before(async () => {
    h = await start();
    await h.domain.createService('flair', KEY);
    const put = (path: string, body: unknown) => h.request('PUT', `/v1/flair${path}`, { body, headers: auth });
    assert.equal((await put('/badges.json', { badges: [
      { name: 'gold-one', type: 'gold', title: '<img src=x onerror=alert(1)>' },
      { name: 'bronze-one', type: 'bronze' },
      { name: 'secret', type: 'silver' },
      { name: 'gone', type: 'silver', display_date_end: '2020-01-01T00:00:00Z' },
    ] })).status, 200);
    assert.equal((await put(`/users/${encodeURIComponent(HOSTILE)}.json`, { badges: ['gold-one', 'bronze-one', 'bronze-one', 'secret', 'gone'] })).status, 200);
    assert.equal((await put(`/users/${encodeURIComponent(HOSTILE)}/display.json`, { hidden: ['secret'] })).status, 200);
  });
  after(() => h.close());

  test('an SVG of the user: escaped, the hidden and the out-of-window badges left out, cached and revalidated', async () => {
    const response = await get(`/users/${encodeURIComponent(HOSTILE)}/flair.svg`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/svg+xml');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const svg = await response.text();
    assert.ok(!/<script|<img/i.test(svg), 'no markup of a name or a field gets through');
    assert.ok(svg.includes('Eve &lt;script&gt;alert(&quot;x&quot;) &amp; &#39;co&#39;'));
    assert.ok(svg.includes('&lt;img src=x'), "the badge's title, escaped (and cut to fit)");
    assert.ok(!/secret|gone/.test(svg), 'hidden and out of its window: not shown');
    // 1 gold (10) + 2 bronze (1 each) + the hidden silver, which still counts (5) + gone (5): the score lists no badge.
    assert.match(svg, /aria-label="[^"]*: 22 points; 1 gold, 1 bronze"/);
    const again = await get(`/users/${encodeURIComponent(HOSTILE)}/flair.svg`, { 'if-none-match': response.headers.get('etag')! });
    assert.equal(again.status, 304);
    const dark = await (await get(`/users/${encodeURIComponent(HOSTILE)}/flair.svg?theme=dark`)).text();
    assert.notEqual(dark, svg);
    const compact = await (await get(`/users/${encodeURIComponent(HOSTILE)}/flair.svg?theme=compact`)).text();
    assert.match(compact, /height="20"/);
    assert.equal((await get('/users/x/flair.svg?theme=neon')).status, 400);
  });

  test("a user the service does not know gets an image saying so, as the widget does; a service that does not exist a 404", async () => {
    const svg = await (await get('/users/nobody/flair.svg')).text();
    assert.match(svg, /No badges yet/);
    assert.equal((await fetch(`${h.base}/v1/nosuch/users/x/flair.svg`)).status, 404);
  });

  test("the PNG's text is drawn with the bundled font: the pixels differ where the text is from the same image without text", async () => {
    const response = await get(`/users/${encodeURIComponent(HOSTILE)}/flair.png`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    const png = decodePng(Buffer.from(await response.arrayBuffer()));
    const svg = await (await get(`/users/${encodeURIComponent(HOSTILE)}/flair.svg`)).text();
    const bare = decodePng(await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, '')));
    assert.deepEqual([png.width, png.height], [bare.width, bare.height]);
    // The name, on the first line: its box has ink only when the text is drawn.
    const nameBox = { x: 10, y: 8, width: 120, height: 16 };
    assert.ok(differingPixels(png, bare, nameBox) > 150, `the name is drawn: ${differingPixels(png, bare, nameBox)} pixels of ink`);
    assert.equal(differingPixels(png, bare, { x: 0, y: 0, width: png.width, height: 6 }), 0, 'and nothing else moved');
    const cached = await get(`/users/${encodeURIComponent(HOSTILE)}/flair.png`, { 'if-none-match': response.headers.get('etag')! });
    assert.equal(cached.status, 304);
  });

  test('PNGs asked for at once are each rendered, a few at a time, and a render that fails does not hold up the next', async () => {
    const names = ['gold-one', 'bronze-one', 'nobody-1', 'nobody-2', 'nobody-3', 'nobody-4'];
    const [broken, ...pngs] = await Promise.allSettled([
      svgToPng('<svg'),
      ...names.map(async (name) => {
        const response = await get(name.startsWith('nobody') ? `/users/${name}/flair.png` : `/badges/${name}/flair.png`);
        assert.equal(response.status, 200);
        return decodePng(Buffer.from(await response.arrayBuffer()));
      }),
    ]);
    assert.equal(broken!.status, 'rejected', 'an SVG resvg cannot read is refused');
    for (const png of pngs) assert.equal(png.status, 'fulfilled');
    assert.ok(decodePng(await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')).width === 4, 'and the next one is rendered');
  });

  test("a service's PNGs beyond what may wait are refused at once, over HTTP as 503 busy; another service's still get their turn; drawing goes on after", async () => {
    // Slow to draw (a blur over 4 megapixels), so the line is still full when the requests arrive.
    const slow = '<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="2000"><filter id="b"><feGaussianBlur stdDeviation="40"/></filter><rect width="2000" height="2000" fill="red" filter="url(#b)"/></svg>';
    const flood = Promise.allSettled(Array.from({ length: MAX_WAITING_RENDERS + 10 }, () => svgToPng(slow, 'flair')));
    const request = await get('/users/flood-while-full/flair.png');
    // Another service's image, asked for after the flood: it waits for one image of the flood, not all 32.
    const other = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', 'other');
    assert.ok(decodePng(other).width === 4);
    assert.ok(rendersWaiting('flair') >= MAX_WAITING_RENDERS - 2, `drawn while the flood still waits (${rendersWaiting('flair')} of it left)`);
    const settled = await flood;
    const refused = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as { status: number; code: string });
    // Two are drawn at once and MAX_WAITING_RENDERS wait: the rest are refused, not queued.
    assert.equal(refused.length, 8);
    for (const error of refused) assert.deepEqual([error.status, error.code], [503, 'busy']);
    assert.equal(request.status, 503, 'a PNG asked for over HTTP while the line is full');
    assert.equal(request.headers.get('retry-after'), '1');
    assert.equal(((await request.json()) as { error: { code: string } }).error.code, 'busy');
    const after = await get('/users/flood-after/flair.png');
    assert.equal(after.status, 200);
    assert.ok(decodePng(Buffer.from(await after.arrayBuffer())).width > 0);
  });

  test('one badge, shields-style; a badge out of its window is a 404', async () => {
    const svg = await (await get('/badges/bronze-one/flair.svg')).text();
    assert.match(svg, /bronze-one/);
    assert.match(svg, /×2/);
    const png = decodePng(Buffer.from(await (await get('/badges/bronze-one/flair.png')).arrayBuffer()));
    const bare = decodePng(await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, '')));
    assert.ok(differingPixels(png, bare, { x: 16, y: 3, width: 40, height: 14 }) > 40, 'its title is drawn');
    assert.equal((await get('/badges/gone/flair.svg')).status, 404);
  });
});
