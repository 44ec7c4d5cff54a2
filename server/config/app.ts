import { HttpError } from '../http/errors.js';
import type { AccessConfig } from './access.js';
import type { LiveConfig } from './live.js';
import type { RequestLog } from '../http/request-log.js';

export interface AppConfig {
  /** Largest request body accepted, in bytes; larger ones get a 413. */
  maxBodyBytes: number;
  /** A body must arrive within this many ms of the headers; a slower one gets a 408. */
  bodyTimeoutMs: number;
  /** Bytes that bodies still arriving may hold together; a body beyond it gets a 503 at once. */
  bodyBudgetBytes: number;
  /** Whether the service named `test` takes writes without a key. Turn off in production. */
  openTestService: boolean;
  /** The folder holding `dist/`, `themes/` and `demo/`; null serves no files. */
  publicRoot: string | null;
  /** Answer `users.json?names=` reads before Koa (see fast-path.ts); off only to compare the two. */
  fastReads: boolean;
  /** The operator's token for the admin API (`/admin/...`); null leaves the admin API out. */
  adminToken: string | null;
  /** Milliseconds since the epoch; tests move it to check signature expiry. */
  now: () => number;
  log: (message: string, error?: unknown) => void;
  /**
   * Called once per request, when its answer is sent or its connection closes. Apart from `log`, so
   * that in-process tests that silence errors are silent here too by default, and `serve` prints it.
   */
  requestLog: RequestLog | null;
  /** Days a service keeps events unless it sets its own (`event-settings.json`). */
  eventRetentionDays: number;
  /** Largest body of an events request (up to 1,000 events), in bytes. */
  maxEventBodyBytes: number;
  /** Invitations and webhooks (issue 11); unset ones take their defaults (see access/config.ts). */
  access?: Partial<AccessConfig>;
  /** Bounds of the live streams; unset ones take their defaults (see live.ts). */
  live?: Partial<LiveConfig>;
}

export const defaultConfig = (): AppConfig => ({
  maxBodyBytes: 100 * 1024,
  bodyTimeoutMs: 10_000,
  bodyBudgetBytes: 16 * 1024 * 1024,
  openTestService: true,
  publicRoot: null,
  fastReads: true,
  adminToken: null,
  now: Date.now,
  log: (message, error) => console.error(message, error ?? ''),
  requestLog: null,
  eventRetentionDays: 90,
  maxEventBodyBytes: 1024 * 1024,
});

export interface ServerSettings {
  port: number;
  host: string;
  dataFile: string;
  /** PostgreSQL instead of the embedded store in `dataFile`. */
  databaseUrl?: string;
  openTestService: boolean;
  /** One JSON line per request on stdout; REQUEST_LOG=off leaves it to a proxy in front. */
  requestLog: boolean;
  /** Journal size that starts a checkpoint (bytes). */
  checkpointBytes?: number;
  /** Headers must arrive within this many ms of the connection or the previous request. */
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  bodyBudgetBytes: number;
  /** Open connections at most; more are closed as they arrive. */
  maxConnections: number;
  /** On SIGTERM/SIGINT, how long requests in progress may take before they are cut (ms). */
  shutdownGraceMs: number;
  /** While storage refuses writes, how often to check whether it takes them again (ms). */
  storageRetryMs: number;
}

/**
 * The settings with a whole-number value: environment variable, CLI flag, default and least value.
 * At most 2^31 - 1, the longest delay a Node timer takes.
 */
export const NUMERIC_SETTINGS = {
  headersTimeoutMs: { env: 'HEADERS_TIMEOUT_MS', flag: 'headers-timeout-ms', fallback: 10_000, min: 1 },
  bodyTimeoutMs: { env: 'BODY_TIMEOUT_MS', flag: 'body-timeout-ms', fallback: 10_000, min: 1 },
  bodyBudgetBytes: { env: 'BODY_BUDGET_BYTES', flag: 'body-budget-bytes', fallback: 16 * 1024 * 1024, min: 1 },
  maxConnections: { env: 'MAX_CONNECTIONS', flag: 'max-connections', fallback: 4096, min: 1 },
  shutdownGraceMs: { env: 'SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', fallback: 10_000, min: 0 },
  storageRetryMs: { env: 'STORAGE_RETRY_MS', flag: 'storage-retry-ms', fallback: 1000, min: 1 },
} as const;
const MAX_SETTING = 2 ** 31 - 1;

/**
 * Settings from the environment, each checked: a typo stops the start instead of being ignored.
 * `typed` names what the user typed for a variable the CLI filled from a flag (`{ PORT: '--port' }`),
 * so that a message blames what they wrote.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv, typed: Record<string, string> = {}): ServerSettings {
  const as = (name: string) => typed[name] ?? name;
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HttpError(500, 'config', `${as('PORT')} must be 0-65535, not "${env.PORT}"`);
  const flag = (env.TEST_SERVICE ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(flag)) throw new HttpError(500, 'config', `TEST_SERVICE must be on or off, not "${env.TEST_SERVICE}"`);
  const checkpointBytes = env.CHECKPOINT_BYTES === undefined ? undefined : Number(env.CHECKPOINT_BYTES);
  if (checkpointBytes !== undefined && !(Number.isInteger(checkpointBytes) && checkpointBytes > 0)) {
    throw new HttpError(500, 'config', `CHECKPOINT_BYTES must be a positive whole number, not "${env.CHECKPOINT_BYTES}"`);
  }
  const numbers = {} as Record<keyof typeof NUMERIC_SETTINGS, number>;
  for (const [key, { env: name, fallback, min }] of Object.entries(NUMERIC_SETTINGS)) {
    const raw = env[name];
    const value = raw === undefined ? fallback : /^\d{1,15}$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(value >= min && value <= MAX_SETTING)) {
      throw new HttpError(500, 'config', `${as(name)} must be a whole number from ${min} to ${MAX_SETTING}, not "${raw}"`);
    }
    numbers[key as keyof typeof NUMERIC_SETTINGS] = value;
  }
  return {
    ...numbers,
    checkpointBytes,
    port,
    host: env.HOST || 'localhost',
    dataFile: env.DATA_FILE || 'data/db.json',
    databaseUrl: databaseUrl(env.DATABASE_URL, as('DATABASE_URL')),
    openTestService: ['on', 'true', '1'].includes(flag),
    requestLog: onOff(env.REQUEST_LOG, 'REQUEST_LOG', true),
  };
}

function databaseUrl(raw: string | undefined, name: string): string | undefined {
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new HttpError(500, 'config', `${name} must be a postgres:// or postgresql:// URL`);
  return raw;
}

function onOff(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toLowerCase();
  if (['on', 'true', '1'].includes(value)) return true;
  if (['off', 'false', '0'].includes(value)) return false;
  throw new HttpError(500, 'config', `${name} must be on or off, not "${raw}"`);
}
