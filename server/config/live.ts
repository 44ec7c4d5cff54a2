/**
 * Bounds and timings of the live streams (issue 21); every one has a default, and `serve` reads
 * each from the environment (LIVE_MAX_STREAMS, LIVE_MAX_PER_IP, LIVE_MAX_PER_SERVICE,
 * LIVE_HEARTBEAT_MS). A stream is also a connection: MAX_CONNECTIONS bounds them with the rest.
 */
export interface LiveConfig {
  /** Streams this instance holds at most (the bench holds 10,000). */
  maxStreams: number;
  /** Streams from one address at most: a page needs one for all its elements. */
  perIp: number;
  /** Streams of one service at most, so that one busy site does not take every stream. */
  perService: number;
  /** How often a stream says it is alive (and where it stands), so that proxies keep it open. */
  heartbeatMs: number;
  /** How long a browser waits before reconnecting (the stream's `retry:`). */
  retryMs: number;
}

export const defaultLiveConfig = (): LiveConfig => ({ maxStreams: 10_000, perIp: 32, perService: 5_000, heartbeatMs: 25_000, retryMs: 3_000 });

const ENV: Record<Exclude<keyof LiveConfig, 'retryMs'>, string> = {
  maxStreams: 'LIVE_MAX_STREAMS',
  perIp: 'LIVE_MAX_PER_IP',
  perService: 'LIVE_MAX_PER_SERVICE',
  heartbeatMs: 'LIVE_HEARTBEAT_MS',
};

export function liveFromEnv(env: NodeJS.ProcessEnv): Partial<LiveConfig> {
  const live: Partial<LiveConfig> = {};
  for (const [key, name] of Object.entries(ENV) as [keyof typeof ENV, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = /^\d{1,10}$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(value >= 1 && value <= 2 ** 31 - 1)) throw new Error(`${name} must be a whole number of at least 1, not "${raw}"`);
    live[key] = value;
  }
  return live;
}
