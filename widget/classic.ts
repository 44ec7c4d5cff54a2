/**
 * The classic script (`<script src=".../user-badges.js">`): no import, no eval, Lit included.
 * Defines `<user-badges>`, sets up the old global `UserBadges` (keeping anything the page put there
 * first, such as its own `renderBadge`) and fills the old `.userbadges` markup.
 */
import { html } from 'lit/html.js';
import { config, originOf } from './config.js';
import { defineUserBadges } from './define.js';
import { legacyRenderBadge, startLegacy, type LegacyRenderBadge } from './legacy.js';
import { sanitizeHTML } from './sanitize.js';

export interface UserBadgesGlobal {
  /** The old hook: a badge in, an HTML string out (sanitised before use). */
  renderBadge: LegacyRenderBadge;
  /** Default display server; set it before the script to override the script's origin. */
  server?: string;
  /** Lit's `html`, for `renderBadge` properties written without a bundler. */
  html: typeof html;
  sanitize: typeof sanitizeHTML;
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
  Object.assign(UB, { html, sanitize: sanitizeHTML });
  config.server = UB.server || originOf((document.currentScript as HTMLScriptElement | null)?.src);
  defineUserBadges();
  startLegacy();
}
