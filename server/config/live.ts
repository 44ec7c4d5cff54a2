/**
 * Bounds and timings of the live streams (issue 21); every one has a default, and `serve` takes
 * them from the settings (settings.ts: LIVE_MAX_STREAMS, LIVE_MAX_PER_IP, LIVE_MAX_PER_SERVICE,
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
