/**
 * `import 'user-badges'`: defines `<user-badges>` and exports the pieces for bundlers. The display
 * server defaults to the origin this module was loaded from (call `setDefaultServer` when the bundle
 * is served from somewhere else). The old `.userbadges` markup is filled only after `startLegacy()`.
 * The grid, the summary and the catalogues other than English are dynamic imports, which the
 * bundler makes chunks of their own.
 */
import { chunkConfig } from './chunks.js';
import { kit } from './kit.js';
import { importChunk } from './chunk-list.js';
import { config, originOf } from './config.js';
import { defineUserBadges } from './define.js';

export { UserBadgesElement, messages, refresh, type RenderBadge, type UserBadgesState } from './user-badges.js';
export { defineUserBadges } from './define.js';
export { setDefaultServer } from './config.js';
export { UserBadgesError } from './api.js';
export { clearCache } from './loader.js';
export { sanitizeHTML } from './sanitize.js';
export { legacyRenderBadge, startLegacy, fillLegacy, type LegacyRenderBadge } from './legacy.js';
export { en as englishMessages, CATALOGUES, type Message, type Messages, type SiteMessages } from './i18n.js';
export type { BadgeData } from './badge.js';
export type * from './events.js';

config.server ||= originOf(import.meta.url);
chunkConfig.load ||= importChunk;
chunkConfig.kit ||= kit;
defineUserBadges();
