import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { transform } from 'lightningcss';
import { defineConfig, minifySync, type Plugin } from 'vite';

/** Minifies CSS kept in template literals marked with a `css` comment (no interpolation), which no JS minifier touches. */
export function minifyCssLiterals(): Plugin {
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
 * Minifies the output once more, after every other plugin: the chunks (ES modules, which library
 * mode leaves with their whitespace, so that bundlers can still tree-shake them: the chunks are
 * loaded by browsers as they are), and the classic script, whose private members (`_update`,
 * `_result`, ...; not Lit's `_$...`) get short names: nothing outside the script reads them.
 */
function minifyAgain(module: boolean): Plugin {
  return {
    name: 'minify-again',
    // After every renderChunk (Vite's own formats ES library output again, keeping whitespace).
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type != 'chunk') continue;
        const url = /\n\/\/# sourceMappingURL=.*$/.exec(chunk.code)?.[0] ?? '';
        const out = minifySync(chunk.fileName, chunk.code.slice(0, chunk.code.length - url.length), {
          module,
          compress: true,
          mangle: true,
          ...(module ? {} : { mangleProps: { include: /^_[a-z]/ } }),
          sourcemap: true,
          inputMap: chunk.map as never,
        });
        if (out.errors.length) throw new Error(`${chunk.fileName}: ${out.errors.map((e) => e.message).join('; ')}`);
        chunk.code = out.code + url;
        const map = bundle[chunk.fileName + '.map'];
        if (map?.type == 'asset' && out.map) map.source = JSON.stringify(out.map);
      }
    },
  };
}

/**
 * Writes `<file>.br` and `<file>.gz` beside each script, at the highest compression: the display
 * server sends them as they are (server/http/static.ts), and so can nginx (`brotli_static`, `gzip_static`)
 * or a CDN serving dist/ itself.
 */
export function precompress(): Plugin {
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
export function themeVersions(): Record<string, string> {
  const dir = new URL('./themes/', import.meta.url);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.css') && f !== 'base.css')
      .map((f) => [f.slice(0, -4), createHash('sha256').update(readFileSync(new URL(f, dir))).digest('hex').slice(0, 12)]),
  );
}

/** The chunk modules by name (`grid`, `messages/de`): every file under widget/chunks/. */
function chunkEntries(): Record<string, string> {
  const dir = new URL('./widget/chunks/', import.meta.url);
  return Object.fromEntries(
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f.slice(0, -3).replaceAll('\\', '/'), relative(process.cwd(), join(dir.pathname, f))]),
  );
}

/**
 * The content version of the chunks the `chunks` build wrote, all together: the classic script
 * loads `chunks/<name>.js?v=<version>`, so that a new script never meets a chunk an older one saw
 * in a cache (the server answers any `?v=` with the current file, kept by browsers for a minute).
 */
function chunksVersion(): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(chunkEntries()).sort()) {
    const file = new URL(`./dist/widget/chunks/${name}.js`, import.meta.url);
    if (!existsSync(file)) throw new Error(`dist/widget/chunks/${name}.js is missing: run \`vite build --mode chunks\` first (npm run build:widget does)`);
    hash.update(name).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * Three builds of the widget into dist/widget/ (`npm run build:widget` runs them in this order):
 * - `--mode chunks`: the chunks of the classic script, `chunks/<name>.js` (ES modules, minified),
 *   one per file under widget/chunks/, each importing nothing (what they share with the script
 *   comes as the `kit` argument of their default export);
 * - default mode: the classic script `user-badges.js` (IIFE, minified, Lit included) for `<script src>`,
 *   knowing the chunks' content version;
 * - `--mode esm`: `user-badges.esm.js`, an ES module for bundlers with Lit left as an import, and
 *   its chunks as dynamic imports (`esm-chunks/`).
 */
export default defineConfig(({ mode }) => {
  const esm = mode == 'esm';
  const chunks = mode == 'chunks';
  // `--mode leaderboard`: `user-badges-leaderboard.js`, the leaderboard element's own script (IIFE, Lit included).
  const leaderboard = mode == 'leaderboard';
  return {
    publicDir: false,
    plugins: [minifyCssLiterals(), ...(esm ? [] : [minifyAgain(chunks)]), precompress()],
    define: { __UB_THEMES__: JSON.stringify(themeVersions()), ...(esm || chunks || leaderboard ? {} : { __UB_CHUNKS__: JSON.stringify(chunksVersion()) }) },
    build: {
      outDir: 'dist/widget',
      emptyOutDir: chunks,
      target: 'es2022',
      sourcemap: true,
      minify: !esm,
      reportCompressedSize: false,
      lib: chunks
        ? { entry: chunkEntries(), formats: ['es'], fileName: (_, name) => `chunks/${name}.js` }
        : leaderboard
          ? { entry: 'widget/leaderboard.ts', formats: ['iife'], name: 'UserBadgesLeaderboardScript', fileName: () => 'user-badges-leaderboard.js' }
          : {
            entry: esm ? 'widget/index.ts' : 'widget/classic.ts',
            formats: [esm ? 'es' : 'iife'],
            name: 'UserBadgesScript',
            fileName: () => (esm ? 'user-badges.esm.js' : 'user-badges.js'),
          },
      rolldownOptions: esm ? { external: [/^lit(\/|$)/, /^@lit\//], output: { chunkFileNames: 'esm-chunks/[name]-[hash].js' } } : {},
    },
  };
});
