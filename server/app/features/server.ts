import { adminRoutes } from '../../http/routes/admin.js';
import { metaRoutes } from '../../http/routes/meta.js';
import type { Feature } from './feature.js';

/** The operator's API (services and their keys) and what the server says of itself (health, /openapi.json). */
export const server: Feature = { name: 'server', routes: [...adminRoutes, ...metaRoutes] };
