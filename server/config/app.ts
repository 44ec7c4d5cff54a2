import type { AccessConfig } from './access.js';
import type { LiveConfig } from './live.js';
import { DEFAULT_QUOTAS, type Quotas } from '../core/rules/quota.js';
import type { RequestLog } from './request-log.js';
import type { Settings } from './settings.js';
import type { OpenBadgesConfig } from './openbadges.js';

export interface AppConfig {
  /** Largest request body accepted, in bytes; larger ones get a 413. */
  maxBodyBytes: number;
  /** A body must arrive within this many ms of the headers; a slower one gets a 408. */
  bodyTimeoutMs: number;
  /** Bytes that bodies still arriving may hold together; a body that would overrun it gets a 503. */
  bodyBudgetBytes: number;
  /** The part of that budget the bodies of one peer (remote address, IPv6 /64) may hold together. */
  bodyPeerBudgetBytes: number;
  /** Whether the service named `test` takes writes without a key. Turn off in production. */
  openTestService: boolean;
  /** Whether a service created without saying accepts the legacy SHA1 signatures (not in production). */
  legacySignaturesByDefault: boolean;
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
  /** The embedded store served, named in the header of an export (`GET /admin/export`). */
  exportFrom?: { store: 'embedded'; file: string; host: string } | null;
  /** Invitations and webhooks (issue 11); unset ones take their defaults (see access/config.ts). */
  access?: Partial<AccessConfig>;
  /** Bounds of the live streams; unset ones take their defaults (see live.ts). */
  live?: Partial<LiveConfig>;
  /** Open Badges (issue 22): where they are published and how issuer keys are kept (see openbadges.ts). */
  openBadges?: Partial<OpenBadgesConfig>;
  /** What each service may hold at most, unless it has its own (core/rules/quota.ts; QUOTA_* in settings.ts). */
  quotas: Quotas;
}

export const defaultConfig = (): AppConfig => ({
  maxBodyBytes: 100 * 1024,
  bodyTimeoutMs: 10_000,
  bodyBudgetBytes: 16 * 1024 * 1024,
  bodyPeerBudgetBytes: 4 * 1024 * 1024,
  openTestService: true,
  legacySignaturesByDefault: true,
  publicRoot: null,
  fastReads: true,
  adminToken: null,
  now: Date.now,
  log: (message, error) => console.error(message, error ?? ''),
  requestLog: null,
  eventRetentionDays: 90,
  maxEventBodyBytes: 1024 * 1024,
  quotas: DEFAULT_QUOTAS,
});

/** What `serve` gives `createApp` of the settings (see settings.ts); the rest keep their defaults. */
export function appConfigOf(settings: Settings): Partial<AppConfig> {
  return {
    openTestService: settings.testService,
    bodyTimeoutMs: settings.bodyTimeoutMs,
    bodyBudgetBytes: settings.bodyBudgetBytes,
    bodyPeerBudgetBytes: settings.bodyPeerBudgetBytes,
    legacySignaturesByDefault: !settings.production,
    access: {
      invitationTtlMs: settings.invitationTtlMs,
      webhookAllowPrivate: settings.webhookAllowPrivate,
      webhookLeaseMs: settings.webhookLeaseMs,
      webhookRetryScale: settings.webhookRetryScale,
      webhookPollMs: settings.webhookPollMs,
      webhookLogRetentionMs: settings.webhookLogRetentionMs,
      webhookConcurrency: settings.webhookConcurrency,
      webhookServiceConcurrency: settings.webhookServiceConcurrency,
      webhookEndpointConcurrency: settings.webhookEndpointConcurrency,
    },
    quotas: {
      webhook_endpoints: settings.quotaWebhookEndpoints,
      redeliveries: settings.quotaRedeliveries,
      events: settings.quotaEvents,
      rejected_events: settings.quotaRejectedEvents,
      invitations: settings.quotaInvitations,
      claim_codes: settings.quotaClaimCodes,
    },
    live: {
      maxStreams: settings.liveMaxStreams,
      perIp: settings.liveMaxPerIp,
      perService: settings.liveMaxPerService,
      heartbeatMs: settings.liveHeartbeatMs,
    },
    openBadges: {
      publicUrl: settings.publicUrl ?? null,
      keySecret: settings.issuerKeySecret ?? null,
      production: settings.production,
    },
  };
}
