import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Middleware } from 'koa';
import { notModified } from './etag.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;

/**
 * Pages are served with a strict Content-Security-Policy: the demo proves the widget needs neither
 * inline script nor eval nor inline styles.
 */
const PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/**
 * The admin console's page (`/admin`): stricter still. Its scripts and styles are files of this
 * origin; it talks to this origin only; badge images may be anywhere on the web (the editor shows
 * them), and nothing may frame it (clickjacking) or send its address on (`no-referrer`).
 */
export const ADMIN_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; font-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The headers of the admin console's page, set before the file is served (see `serveFiles`). */
export const adminConsolePage: Middleware = async (ctx, next) => {
  await next();
  if (ctx.path !== '/admin' && ctx.path !== '/admin/') return;
  if (!ctx.response.type.startsWith('text/html')) return;
  ctx.set('Content-Security-Policy', ADMIN_POLICY);
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  // The page names its scripts by content: a new build must be seen at once, never a stale page.
  ctx.set('Cache-Control', 'no-cache');
  ctx.remove('Access-Control-Allow-Origin');
};

/** A year: what a versioned URL (`?v=` + the content's version) may be cached for, unchanged. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else: briefly, then revalidated (a 304 when unchanged). */
const SHORT = 'public, max-age=60, must-revalidate';
/** Files larger than this are served as they are, uncompressed and not kept in memory. */
const MAX_KEPT = 1024 * 1024;

/**
 * The version of a file's content, as `?v=` carries it: the first 12 hex digits of its SHA-256.
 * The widget build computes the same for the themes (vite.config.ts).
 */
export const contentVersion = (content: Buffer): string => createHash('sha256').update(content).digest('hex').slice(0, 12);

/**
 * URL prefix -> folder under the package root; a `file` entry maps one URL to one file; a `page`
 * entry maps every URL one segment under the prefix (`/badges/<name>`) to one page, which reads
 * the rest of its URL itself.
 */
export type Mounts = { url: string; folder?: string; file?: string; page?: string }[];

type Encoding = 'br' | 'gzip';
interface Entry {
  mtimeMs: number;
  size: number;
  version: string;
  raw: Buffer;
  encoded: Partial<Record<Encoding, Promise<Buffer>>>;
}

const compress: Record<Encoding, (b: Buffer) => Promise<Buffer>> = {
  br: (b) =>
    promisify(brotliCompress)(b, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    }),
  gzip: (b) => promisify(gzip)(b, { level: 9 }),
};
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

/**
 * Serves the widget bundle, themes and demo. Only files under the mounted folders can be reached:
 * the resolved path must stay inside its folder, so `..` and encoded tricks end in a 404. A `file`
 * mount of a script also serves its source map beside it (`/user-badges.js.map`).
 *
 * Text is sent brotli- or gzip-compressed when the client accepts it: from the `.br`/`.gz` file the
 * build wrote beside it (`npm run build:widget` does so for the bundles) when that is at least as
 * new, else compressed once and kept in memory with the file until it changes. A request whose
 * `?v=` is the file's content version (see {@link contentVersion}; the ETag carries it too) may be
 * cached for a year; any other for a minute, then revalidated.
 */
export function serveFiles(root: string, mounts: Mounts): Middleware {
  const kept = new Map<string, Entry>();

  async function load(file: string, size: number, mtimeMs: number): Promise<Entry> {
    const known = kept.get(file);
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known;
    const raw = await readFile(file);
    const entry: Entry = { size, mtimeMs, raw, version: contentVersion(raw), encoded: {} };
    if (size <= MAX_KEPT) kept.set(file, entry);
    return entry;
  }

  /** The file in `encoding`: the build's precompressed copy when fresh, else compressed here once. */
  function encoded(file: string, entry: Entry, encoding: Encoding): Promise<Buffer> {
    return (entry.encoded[encoding] ??= stat(file + SUFFIX[encoding]).then(
      (info) => (info.isFile() && info.mtimeMs >= entry.mtimeMs ? readFile(file + SUFFIX[encoding]) : compress[encoding](entry.raw)),
      () => compress[encoding](entry.raw),
    ));
  }

  return async function files(ctx, next) {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const file = locate(root, mounts, ctx.path);
    if (!file) return next();
    let info;
    try {
      info = await stat(file);
    } catch {
      return next();
    }
    if (!info.isFile()) return next();
    const entry = await load(file, info.size, info.mtimeMs);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const compressible = COMPRESSIBLE.test(type) && info.size <= MAX_KEPT;
    const encoding = compressible ? preferredEncoding(ctx.get('accept-encoding')) : 'identity';
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', ctx.query.v === entry.version ? IMMUTABLE : SHORT);
    if (compressible) ctx.vary('Accept-Encoding');
    ctx.type = type;
    if (type.startsWith('text/html')) ctx.set('Content-Security-Policy', PAGE_POLICY);
    ctx.lastModified = info.mtime;
    ctx.status = 200;
    const coded = encoding === 'br' || encoding === 'gzip';
    if (notModified(ctx, `"${entry.version}${coded ? '-' + encoding : ''}"`)) return;
    if (coded) ctx.set('Content-Encoding', encoding);
    ctx.body = coded ? await encoded(file, entry, encoding) : entry.raw;
  };
}

/**
 * brotli if the client accepts it, else gzip, else none: the server's preference among what the
 * client accepts (Koa's `acceptsEncodings` would take the client's order, and browsers list gzip first).
 */
export function preferredEncoding(acceptEncoding: string): Encoding | 'identity' {
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const weight = params.find((p) => p.startsWith('q='));
    if (name) q.set(name, weight ? Number(weight.slice(2)) : 1);
  }
  const accepted = (e: string) => (q.get(e) ?? q.get('*') ?? 0) > 0;
  return accepted('br') ? 'br' : accepted('gzip') ? 'gzip' : 'identity';
}

function locate(root: string, mounts: Mounts, path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  for (const mount of mounts) {
    if (mount.page !== undefined) {
      const rest = decoded.startsWith(mount.url) ? decoded.slice(mount.url.length) : '/';
      if (rest !== '' && !rest.includes('/')) return join(root, mount.page);
      continue;
    }
    if (mount.file !== undefined) {
      if (decoded === mount.url) return join(root, mount.file);
      if (mount.file.endsWith('.js') && decoded === mount.url + '.map') return join(root, mount.file + '.map');
      continue;
    }
    if (!decoded.startsWith(mount.url)) continue;
    const folder = resolve(root, mount.folder!);
    const rest = decoded.slice(mount.url.length);
    const target = resolve(folder, '.' + sep + rest);
    if (target.startsWith(folder + sep)) return target;
  }
  return null;
}
