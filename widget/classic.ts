/**
 * The classic script (`<script src=".../user-badges.js">`): no import, no eval, Lit included.
 * Defines `<user-badges>`, sets up the old global `UserBadges` (keeping anything the page put there
 * first, such as its own `renderBadge`) and fills the old `.userbadges` markup. What a page may not
 * use (the grid, the summary, the catalogues other than English) it loads as chunks from its own
 * folder: `<folder>/chunks/<name>.js`, as ES modules (`import()`, which `script-src` allows like the
 * script itself).
 */
import { html } from 'lit/html.js';
import { chunkConfig } from './chunks.js';
import { kit } from './kit.js';
import { config, originOf } from './config.js';
import { defineUserBadges } from './define.js';
import { legacyRenderBadge, startLegacy, type LegacyRenderBadge } from './legacy.js';
import { messages, refresh } from './user-badges.js';

/** The content version of the chunks, all together; set by the build from `dist/widget/chunks/` (vite.config.ts). */
declare const __UB_CHUNKS__: string;

export interface UserBadgesGlobal {
  /** The old hook: a badge in, an HTML string out (sanitised before use). */
  renderBadge: LegacyRenderBadge;
  /** Default display server; set it before the script to override the script's origin. */
  server?: string;
  /**
   * The folder of the script's chunks (ending in `/`); set it before the script when its `chunks/`
   * folder is not beside it. Default: the script's folder, or `/widget/` for a script at the root
   * of its origin (the display server's `/user-badges.js`).
   */
  chunks?: string;
  /** Lit's `html`, for `renderBadge` properties written without a bundler. */
  html: typeof html;
  /** Adds or overrides messages of a language: `UserBadges.messages('de', { none: 'Keine Abzeichen' })`. */
  messages: typeof messages;
  /** Fetches the badges of a service's user (or all its users) again, for every element showing them. */
  refresh: typeof refresh;
  version: string;
}

declare global {
  interface Window {
    UserBadges?: Partial<UserBadgesGlobal>;
  }
}

const UB = (window.UserBadges ||= {});
if (!UB.version) {
  UB.version = '0.1.0';
  UB.renderBadge ||= legacyRenderBadge;
  Object.assign(UB, { html, messages, refresh });
  const src = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
  config.server = UB.server || originOf(src);
  const dir = new URL('.', src);
  if (dir.pathname == '/') dir.pathname = '/widget/';
  chunkConfig.kit = kit;
  chunkConfig.load = (name) => import(/* @vite-ignore */ `${UB.chunks || dir}chunks/${name}.js?v=${__UB_CHUNKS__}`);
  defineUserBadges();
  startLegacy();
}
