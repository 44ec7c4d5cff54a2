import { issuerRoutes } from '../../http/routes/issuers.js';
import type { Feature } from './feature.js';

/** Who gives a service's badges: issuers and their programs, BadgeKit's (its systems are our services). */
export const issuing: Feature = { name: 'issuing', routes: issuerRoutes };
