import { HttpError } from './errors.js';

export interface AppConfig {
  /** Largest request body accepted, in bytes; larger ones get a 413. */
  maxBodyBytes: number;
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
}

export const defaultConfig = (): AppConfig => ({
  maxBodyBytes: 100 * 1024,
  openTestService: true,
  publicRoot: null,
  fastReads: true,
  adminToken: null,
  now: Date.now,
  log: (message, error) => console.error(message, error ?? ''),
});

export interface ServerSettings {
  port: number;
  host: string;
  dataFile: string;
  /** PostgreSQL instead of the embedded store in `dataFile`. */
  databaseUrl?: string;
  openTestService: boolean;
  /** Journal size that starts a checkpoint (bytes). */
  checkpointBytes?: number;
}

/** Settings from the environment, each checked: a typo stops the start instead of being ignored. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): ServerSettings {
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HttpError(500, 'config', `PORT must be 0-65535, not "${env.PORT}"`);
  const flag = (env.TEST_SERVICE ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(flag)) throw new HttpError(500, 'config', `TEST_SERVICE must be on or off, not "${env.TEST_SERVICE}"`);
  const checkpointBytes = env.CHECKPOINT_BYTES === undefined ? undefined : Number(env.CHECKPOINT_BYTES);
  if (checkpointBytes !== undefined && !(Number.isInteger(checkpointBytes) && checkpointBytes > 0)) {
    throw new HttpError(500, 'config', `CHECKPOINT_BYTES must be a positive whole number, not "${env.CHECKPOINT_BYTES}"`);
  }
  return {
    checkpointBytes,
    port,
    host: env.HOST || 'localhost',
    dataFile: env.DATA_FILE || 'data/db.json',
    databaseUrl: databaseUrl(env.DATABASE_URL),
    openTestService: ['on', 'true', '1'].includes(flag),
  };
}

function databaseUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new HttpError(500, 'config', 'DATABASE_URL (--database) must be a postgres:// or postgresql:// URL');
  return raw;
}
