import { consoleRoutes } from '../../http/routes/console.js';
import type { Feature } from './feature.js';

/**
 * The admin console's reads (issue 23): figures for its plots, the member search, the service's own
 * export. The console itself is static files (`dist/admin/`), served at `/admin` by `createApp`.
 */
export const adminConsole: Feature = { name: 'console', routes: consoleRoutes };
