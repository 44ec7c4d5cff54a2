import type { ParameterizedContext } from 'koa';
import type Router from '@koa/router';
import type { AnswerKeeper } from '../kept-answers.js';
import type { ReplayStore } from '../replay.js';
import type { ReadCache } from '../read-cache.js';
import type { AppConfig } from '../config.js';
import type { Quota, ServiceRecord, Store } from '../store/types.js';

/** What the v1 routes share: set up once by `createApp`. */
export interface Deps {
  store: Store;
  config: AppConfig;
  replay: ReplayStore;
  reads: ReadCache;
}

export interface V1State {
  service: ServiceRecord;
  /** The parsed JSON body of an authorised write. */
  body: unknown;
  /** What the service may hold at most, for writes that add to it; none for most services. */
  quota?: Quota;
  /** Set when the request used up a signature: reports the answer sent (see kept-answers.ts). */
  answered?: AnswerKeeper['answered'];
}

export type V1Context = ParameterizedContext<V1State>;
export type V1Router = Router<V1State>;
