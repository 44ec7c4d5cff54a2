import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { transform } from 'lightningcss';
import { defineConfig, type Plugin } from 'vite';

/** Minifies CSS kept in template literals marked with a `css` comment (no interpolation), which no JS minifier touches. */
function minifyCssLiterals(): Plugin {
  return {
    name: 'minify-css-literals',
    enforce: 'pre',
    transform(code, id) {
      if (!/widget\/.*\.ts$/.test(id) || !code.includes('/* css */ `')) return;
      const out = code.replace(/\/\* css \*\/ `([^`$]*)`/g, (_, text: string) => {
        const css = transform({ filename: id, code: Buffer.from(text), minify: true }).code.toString();
        // Keep the line count, so that the rest of the file maps to its source unchanged.
        return '`' + css.replace(/\\/g, '\\\\') + '`' + '\n'.repeat(text.split('\n').length - 1);
      });
      return { code: out, map: null };
    },
  };
}

/**
 * Writes `<file>.br` and `<file>.gz` beside each script, at the highest compression: the display
 * server sends them as they are (server/http/static.ts), and so can nginx (`brotli_static`, `gzip_static`)
 * or a CDN serving dist/ itself.
 */
function precompress(): Plugin {
  return {
    name: 'precompress',
    writeBundle({ dir }, bundle) {
      for (const name of Object.keys(bundle).filter((n) => n.endsWith('.js'))) {
        const file = join(dir!, name);
        const content = readFileSync(file);
        writeFileSync(file + '.br', brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } }));
        writeFileSync(file + '.gz', gzipSync(content, { level: 9 }));
      }
    },
  };
}

/**
 * The content version of each theme (`?v=` on its URL, so browsers may keep it for a year): the
 * same digest as `contentVersion` in server/http/static.ts, which decides whether a `?v=` is current.
 */
function themeVersions(): Record<string, string> {
  const dir = new URL('./themes/', import.meta.url);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.css') && f !== 'base.css')
      .map((f) => [f.slice(0, -4), createHash('sha256').update(readFileSync(new URL(f, dir))).digest('hex').slice(0, 12)]),
  );
}

/**
 * Two builds of the widget into dist/widget/ (`npm run build:widget` runs both):
 * - default mode: the classic script `user-badges.js` (IIFE, minified, Lit included) for `<script src>`;
 * - `--mode esm`: `user-badges.esm.js`, an ES module for bundlers with Lit left as an import.
 */
export default defineConfig(({ mode }) => {
  const esm = mode == 'esm';
  return {
    publicDir: false,
    plugins: [minifyCssLiterals(), precompress()],
    define: { __UB_THEMES__: JSON.stringify(themeVersions()) },
    build: {
      outDir: 'dist/widget',
      emptyOutDir: !esm,
      target: 'es2021',
      sourcemap: true,
      minify: !esm,
      reportCompressedSize: false,
      lib: {
        entry: esm ? 'widget/index.ts' : 'widget/classic.ts',
        formats: [esm ? 'es' : 'iife'],
        name: 'UserBadgesScript',
        fileName: () => (esm ? 'user-badges.esm.js' : 'user-badges.js'),
      },
      rolldownOptions: esm ? { external: [/^lit(\/|$)/, /^@lit\//] } : {},
    },
  };
});
