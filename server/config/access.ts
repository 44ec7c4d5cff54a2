import type { AppConfig } from './app.js';

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
