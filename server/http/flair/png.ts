import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/**
 * SVG to PNG with resvg (a Rust renderer, prebuilt for each platform in npm packages of its own:
 * no browser, no system library) and the DejaVu fonts of the `dejavu-fonts-ttf` package. System
 * fonts are never loaded: the PNG draws the same text on a machine without any font, rather than
 * an image whose text silently went missing.
 */
const fonts = (() => {
  const folder = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [join(folder, 'DejaVuSans.ttf'), join(folder, 'DejaVuSans-Bold.ttf')];
})();

export const FLAIR_FONTS: readonly string[] = fonts;

export function svgToPng(svg: string): Buffer {
  const rendered = new Resvg(svg, { font: { fontFiles: fonts, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } }).render();
  return rendered.asPng();
}
