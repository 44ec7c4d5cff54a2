import type { AppConfig } from './app.js';
import { parseDuration } from './duration.js';

/** Settings of addresses, invitations, claim codes and webhooks; every one has a default. */
export interface AccessConfig {
  /** An invitation expires this long after it is made; 0: never. */
  invitationTtlMs: number;
  /** How often expired invitations and rotation keys are removed. */
  expiryPollMs: number;
  /** How often the delivery job looks for due deliveries besides being woken by new ones. */
  webhookPollMs: number;
  /** How long an instance holds a delivery it is sending; past it, another instance may send it. */
  webhookLeaseMs: number;
  /** How long a receiver may take to answer. */
  webhookTimeoutMs: number;
  /** The waits of the Standard Webhooks retry schedule are multiplied by this (tests make it small). */
  webhookRetryScale: number;
  /** An endpoint whose every attempt failed for this long is disabled. */
  webhookDisableAfterMs: number;
  /** Whether endpoints may be on loopback, private or link-local addresses (tests; an operator's own network). */
  webhookAllowPrivate: boolean;
  /** Attempts in flight at most: in all, of one service, of one endpoint (each instance). */
  webhookConcurrency: number;
  webhookServiceConcurrency: number;
  webhookEndpointConcurrency: number;
  /** Messages and the attempt log are kept this long, then removed (with them, redelivery). */
  webhookLogRetentionMs: number;
}

const DAY = 86_400_000;

export const defaultAccessConfig = (): AccessConfig => ({
  invitationTtlMs: 90 * DAY,
  expiryPollMs: 60_000,
  webhookPollMs: 1_000,
  webhookLeaseMs: 60_000,
  webhookTimeoutMs: 15_000,
  webhookRetryScale: 1,
  webhookDisableAfterMs: 5 * DAY,
  webhookAllowPrivate: false,
  webhookConcurrency: 32,
  webhookServiceConcurrency: 8,
  webhookEndpointConcurrency: 4,
  webhookLogRetentionMs: 30 * DAY,
});

export const accessConfig = (config: Pick<AppConfig, 'access'>): AccessConfig => ({ ...defaultAccessConfig(), ...config.access });

/**
 * The Standard Webhooks schedule: after the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
 * 10 h; eight attempts over about a day and a day.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/**
 * What `serve` takes from the environment: INVITATION_TTL (e.g. 90d, 0 for never),
 * WEBHOOK_ALLOW_PRIVATE=on (endpoints on the operator's own network), WEBHOOK_LEASE_MS,
 * WEBHOOK_RETRY_SCALE (a factor on the retry schedule), WEBHOOK_POLL_MS, and the attempts in flight at
 * most: WEBHOOK_CONCURRENCY (in all), WEBHOOK_SERVICE_CONCURRENCY, WEBHOOK_ENDPOINT_CONCURRENCY.
 */
export function accessFromEnv(env: NodeJS.ProcessEnv): Partial<AccessConfig> {
  const access: Partial<AccessConfig> = {};
  const number = (name: string, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number of at least ${min}, not "${raw}"`);
    return value;
  };
  if (env.INVITATION_TTL !== undefined && env.INVITATION_TTL !== '') {
    const ttl = env.INVITATION_TTL === '0' ? 0 : parseDuration(env.INVITATION_TTL);
    if (ttl === undefined) throw new Error(`INVITATION_TTL must be like 90d, 12h or 0 (never), not "${env.INVITATION_TTL}"`);
    access.invitationTtlMs = ttl;
  }
  const flag = env.WEBHOOK_ALLOW_PRIVATE?.toLowerCase();
  if (flag !== undefined && flag !== '') {
    if (!['on', 'off', 'true', 'false', '1', '0'].includes(flag)) throw new Error(`WEBHOOK_ALLOW_PRIVATE must be on or off, not "${env.WEBHOOK_ALLOW_PRIVATE}"`);
    access.webhookAllowPrivate = ['on', 'true', '1'].includes(flag);
  }
  if (env.WEBHOOK_LOG_RETENTION !== undefined && env.WEBHOOK_LOG_RETENTION !== '') {
    const kept = parseDuration(env.WEBHOOK_LOG_RETENTION);
    if (kept === undefined) throw new Error(`WEBHOOK_LOG_RETENTION must be like 30d or 12h, not "${env.WEBHOOK_LOG_RETENTION}"`);
    access.webhookLogRetentionMs = kept;
  }
  const lease = number('WEBHOOK_LEASE_MS', 1);
  if (lease !== undefined) access.webhookLeaseMs = lease;
  const scale = number('WEBHOOK_RETRY_SCALE', 0);
  if (scale !== undefined) access.webhookRetryScale = scale;
  const poll = number('WEBHOOK_POLL_MS', 1);
  if (poll !== undefined) access.webhookPollMs = poll;
  for (const [name, key] of [
    ['WEBHOOK_CONCURRENCY', 'webhookConcurrency'],
    ['WEBHOOK_SERVICE_CONCURRENCY', 'webhookServiceConcurrency'],
    ['WEBHOOK_ENDPOINT_CONCURRENCY', 'webhookEndpointConcurrency'],
  ] as const) {
    const value = number(name, 1);
    if (value !== undefined) {
      if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, not "${env[name]}"`);
      access[key] = value;
    }
  }
  return access;
}
