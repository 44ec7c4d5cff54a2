import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';

/**
 * SVG to PNG with resvg (a Rust renderer, prebuilt for each platform in npm packages of its own:
 * no browser, no system library) and the DejaVu fonts of the `dejavu-fonts-ttf` package. System
 * fonts are never loaded: the PNG draws the same text on a machine without any font, rather than
 * an image whose text silently went missing.
 *
 * A render costs about 3 ms of CPU on an idle core, nearly all of it laying out the text (glyph by
 * glyph; reading the two font files is a tenth of a millisecond). It runs on libuv's thread pool,
 * not the event loop, so other requests are answered meanwhile; and one at a time, so that images
 * take one pool thread at most, and the file system work of other requests (journal appends and
 * their fsyncs) keeps the others.
 */
const fonts = (() => {
  const folder = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [join(folder, 'DejaVuSans.ttf'), join(folder, 'DejaVuSans-Bold.ttf')];
})();

export const FLAIR_FONTS: readonly string[] = fonts;

const OPTIONS: ResvgRenderOptions = { font: { fontFiles: fonts, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } };

/** The render before the next one: each starts when the one before it has ended, however it ended. */
let queue: Promise<unknown> = Promise.resolve();

export function svgToPng(svg: string): Promise<Buffer> {
  const rendered = queue.then(async () => (await renderAsync(svg, OPTIONS)).asPng());
  queue = rendered.catch(() => {});
  return rendered;
}
