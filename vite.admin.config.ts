import { defineConfig } from 'vite';
import { minifyCssLiterals, precompress, themeVersions } from './vite.config.ts';

/**
 * The admin console (`admin/`), built into dist/admin/ and served at `/admin` by the display server
 * (server/app/create-app.ts): its own bundle, so the widget's script-tag bundle does not grow. It
 * holds the widget as an ES module (the badge editor previews the real `<user-badges>`), uPlot for
 * the plots, and Lit. Files are named by content (`assets/<name>-<hash>.js`), and the page that
 * loads them carries no inline script or style: `/admin` is served under a strict CSP.
 */
export default defineConfig({
  root: 'admin',
  base: '/admin/',
  publicDir: false,
  plugins: [minifyCssLiterals(), precompress()],
  define: { __UB_THEMES__: JSON.stringify(themeVersions()) },
  build: {
    outDir: '../dist/admin',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    // No inline script for module preloading: every browser the console targets has it.
    modulePreload: { polyfill: false },
    // The stylesheet as a file of its own (never inlined as a data: URL or a <style>).
    assetsInlineLimit: 0,
  },
});
