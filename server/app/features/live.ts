import { liveReactor } from '../../core/live.js';
import { flairRoutes } from '../../http/routes/flair.js';
import { liveRoutes } from '../../http/routes/live.js';
import type { Feature } from './feature.js';

/**
 * Badges as they are won (issue 21): the live backlog every unit writes, the stream pages read it
 * from (http/live/hub.ts), and flair images that need no JavaScript.
 */
export const live: Feature = { name: 'live', reactors: [liveReactor], routes: [...liveRoutes, ...flairRoutes] };
