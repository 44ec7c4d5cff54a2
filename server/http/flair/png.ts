import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { HttpError } from '../errors.js';
import { SharedTurns } from '../turns.js';

/**
 * SVG to PNG with resvg (a Rust renderer, prebuilt for each platform in npm packages of its own:
 * no browser, no system library) and the DejaVu fonts of the `dejavu-fonts-ttf` package. System
 * fonts are never loaded: the PNG draws the same text on a machine without any font, rather than
 * an image whose text silently went missing.
 *
 * A render costs about 3 ms of CPU on an idle core, nearly all of it laying out the text (glyph by
 * glyph; reading the two font files is a tenth of a millisecond). It runs on libuv's thread pool,
 * not the event loop, so other requests are answered meanwhile; two at a time (one renders while
 * the event loop takes the other's result: one alone left the thread idle between images, 98
 * against 130 images/s in the live bench), so images take two of the pool's four threads at most
 * and the file system work of other requests (journal appends and their fsyncs) keeps the others.
 */
const fonts = (() => {
  const folder = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [join(folder, 'DejaVuSans.ttf'), join(folder, 'DejaVuSans-Bold.ttf')];
})();

export const FLAIR_FONTS: readonly string[] = fonts;

const OPTIONS: ResvgRenderOptions = { font: { fontFiles: fonts, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } };

/** Renders under way at most; the others wait their turn, in order. */
const AT_ONCE = 2;
/**
 * Renders waiting at most, per service: about a quarter of a second of work at the measured 130
 * images/s. Past it, a flood of one service's images (anyone can ask for any member's) is answered
 * 503 at once, not queued without end while each waiting request holds its connection. The two
 * renders are shared, and the waiting services take turns: another service's image waits for one
 * image of each service with images waiting, not for the flood.
 */
export const MAX_WAITING_RENDERS = 32;
const renders = new SharedTurns(AT_ONCE, MAX_WAITING_RENDERS, busy);

/** resvg, loaded at the first image: a server that draws none does not load its native library (4 MB). */
let resvg: Promise<typeof import('@resvg/resvg-js')> | undefined;

/** Draws `svg` as a PNG in `service`'s turn. */
export function svgToPng(svg: string, service = ''): Promise<Buffer> {
  return renders.run(service, async () => (await (await (resvg ??= import('@resvg/resvg-js'))).renderAsync(svg, OPTIONS)).asPng());
}

/** PNGs of `service` waiting to be drawn. */
export const rendersWaiting = (service: string): number => renders.waitingFor(service);

function busy(): HttpError {
  const error = new HttpError(503, 'busy', `${MAX_WAITING_RENDERS} PNG images of this service are waiting to be drawn already; retry shortly, or use flair.svg, which is drawn at once`);
  error.headers = { 'Retry-After': '1' };
  return error;
}
