import type { Route } from '../../http/routes/table.js';
import { access } from './access.js';
import { assessment } from './assessment.js';
import { awards } from './awards.js';
import { adminConsole } from './console.js';
import { events } from './events.js';
import { leaderboard } from './leaderboard.js';
import { live } from './live.js';
import { issuing } from './issuing.js';
import { openBadges } from './openbadges.js';
import { people } from './people.js';
import type { Feature } from './feature.js';
import { server } from './server.js';
import { webhooks } from './webhooks.js';

/** Every feature of the server, each registered here once (see feature.ts). */
export const FEATURES: readonly Feature[] = [awards, events, access, issuing, assessment, webhooks, people, leaderboard, live, openBadges, adminConsole, server];

/** Every route, grouped as the app mounts them: the v1 API, the operator's, and the server's own (last). */
export function routeGroups(features: readonly Feature[] = FEATURES): { v1: Route[]; admin: Route[]; meta: Route[] } {
  const all = features.flatMap((feature) => feature.routes ?? []);
  return {
    v1: all.filter((route) => route.tags[0] !== 'admin' && route.tags[0] !== 'meta'),
    admin: all.filter((route) => route.tags[0] === 'admin'),
    meta: all.filter((route) => route.tags[0] === 'meta'),
  };
}

export const routes: readonly Route[] = FEATURES.flatMap((feature) => feature.routes ?? []);
