import type { ParameterizedContext } from 'koa';
import type Router from '@koa/router';
import type { ReplayGuard } from '../auth.js';
import type { ReadCache } from '../read-cache.js';
import type { AppConfig } from '../config.js';
import type { Domain } from '../core/domain.js';
import type { ServiceRecord } from '../core/model.js';
import type { Store } from '../core/ports.js';

/** What the v1 routes share: set up once by `createApp`. */
export interface Deps {
  store: Store;
  /** Every write goes through the domain core. */
  domain: Domain;
  config: AppConfig;
  replay: ReplayGuard;
  reads: ReadCache;
}

export interface V1State {
  service: ServiceRecord;
  /** The parsed JSON body of an authorised write. */
  body: unknown;
}

export type V1Context = ParameterizedContext<V1State>;
export type V1Router = Router<V1State>;
