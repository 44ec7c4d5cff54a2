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
 * Two builds of the widget into dist/widget/ (`npm run build:widget` runs both):
 * - default mode: the classic script `user-badges.js` (IIFE, minified, Lit included) for `<script src>`;
 * - `--mode esm`: `user-badges.esm.js`, an ES module for bundlers with Lit left as an import.
 */
export default defineConfig(({ mode }) => {
  const esm = mode == 'esm';
  return {
    publicDir: false,
    plugins: [minifyCssLiterals()],
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
