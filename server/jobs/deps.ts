import type { Domain } from '../core/domain.js';
import type { Store } from '../core/ports.js';
import type { AppConfig } from '../config/app.js';
import type { Background } from './background.js';

/** What a feature's jobs are built from: the running server's parts. */
export interface JobDeps {
  store: Store;
  /** The composed Domain; a job runs its units as the system (`domain.as(...)`). */
  domain: Domain;
  config: AppConfig;
  background: Background;
}
