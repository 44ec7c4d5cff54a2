import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
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

/**
 * Pages are served with a strict Content-Security-Policy: the demo proves the widget needs neither
 * inline script nor eval nor inline styles.
 */
const PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/** URL prefix -> folder under the package root; a `file` entry maps one URL to one file. */
export type Mounts = { url: string; folder?: string; file?: string }[];

/**
 * Serves the widget bundle, themes and demo. Only files under the mounted folders can be reached:
 * the resolved path must stay inside its folder, so `..` and encoded tricks end in a 404.
 */
export function serveFiles(root: string, mounts: Mounts): Middleware {
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
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'public, max-age=60, must-revalidate');
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (ctx.type.startsWith('text/html')) ctx.set('Content-Security-Policy', PAGE_POLICY);
    ctx.lastModified = info.mtime;
    ctx.status = 200;
    if (notModified(ctx, `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`)) return;
    ctx.body = await readFile(file);
  };
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
    if (mount.file !== undefined) {
      if (decoded === mount.url) return join(root, mount.file);
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
