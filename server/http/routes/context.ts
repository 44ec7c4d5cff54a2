import type { Writable } from 'node:stream';
import type { ParameterizedContext } from 'koa';
import type Router from '@koa/router';
import type { Actor } from '../../core/actor.js';
import type { Access } from '../auth/credentials.js';
import type { Background } from '../../jobs/background.js';
import type { LiveHub } from '../live/hub.js';
import type { AnswerKeeper } from '../middleware/kept-answers.js';
import type { BadgeRecords } from '../../cache/badge-records.js';
import type { BoardCache } from '../../cache/board-cache.js';
import type { ReadCache } from '../../cache/read-cache.js';
import type { AppConfig } from '../../config/app.js';
import type { Domain } from '../../core/domain.js';
import type { ServiceRecord } from '../../core/model.js';
import type { Store } from '../../core/ports.js';
import type { ReplayStore } from '../../stores/replays.js';

/** What the v1 routes share: set up once by `createApp`. */
export interface Deps {
  store: Store;
  /** Every write goes through the domain core. */
  domain: Domain;
  config: AppConfig;
  replay: ReplayStore;
  reads: ReadCache;
  /** Single badges' records, for the reads of one badge. */
  badges: BadgeRecords;
  /** Pages of leaderboards, dropped when a change could alter them. */
  boards: BoardCache;
  /** `/openapi.json`, serialised once. */
  openapi: string;
  /** Periodic work; stopped with the app (see `AppHandle`). */
  background: Background;
  /** Writes the store (or one service) as JSON Lines from one snapshot: `transfer/export.ts`, given by the app. */
  exportTo: (out: Writable, options: { service?: string; withoutSecrets: boolean }) => Promise<void>;
  /** The live streams this instance holds. */
  live: LiveHub;
}

export interface V1State {
  service: ServiceRecord;
  /** The parsed JSON body of an authorised write. */
  body: unknown;
  /** Whose credentials an authorised request carries (see auth/credentials.ts). */
  access?: Access;
  /** Who the request acts as, set by the guards; the handler's Domain runs its units as this actor. */
  actor?: Actor;
  /** Set when the request used up a signature: reports the answer sent (see kept-answers.ts). */
  answered?: AnswerKeeper['answered'];
}

export type V1Context = ParameterizedContext<V1State>;
export type V1Router = Router<V1State>;
