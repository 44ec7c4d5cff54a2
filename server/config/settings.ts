import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { QUOTA_MAX } from '../../types/constants.js';
import { DEFAULT_QUOTAS, QUOTA_TEXT, type QuotaName } from '../core/rules/quota.js';
import { parseDuration } from './duration.js';

/**
 * Every setting of the server and the CLI, declared once: its type and bounds (JSON Schema, through
 * TypeBox), its default, the environment variable and the flag that set it, and the line `--help`
 * shows. `readSettings` checks all of them at once and `settingsHelp` is generated from here, so a
 * setting cannot be read one way and documented another (fastify/demo's env.ts is the model).
 *
 * A value comes from a flag, else the environment, else the settings file (`user-badges.env`), else
 * the default (which `production` may change); an empty value counts as unset.
 */

/** How a setting is written as text. */
type Form = 'integer' | 'number' | 'on-off' | 'duration' | 'duration-or-0' | 'text' | 'production';

type Section = 'data' | 'server' | 'limits' | 'webhooks' | 'quotas' | 'live' | 'openbadges';
const SECTIONS: Record<Section, string> = {
  data: 'Where the data is',
  server: 'The server',
  limits: 'Limits on clients, shutdown and storage',
  webhooks: 'Invitations and webhooks',
  quotas: "Each service's quotas, unless the admin API gave it its own (PATCH /admin/services/NAME/quotas)",
  live: 'Live streams (Server-Sent Events)',
  openbadges: 'Open Badges',
};

interface Meta {
  env: string;
  /** The flag's name without `--`; none for secrets (a command line is visible to every user of the machine). */
  flag?: string;
  /** What the help shows after the flag: `N`, `URL`, ... */
  placeholder?: string;
  form: Form;
  section: Section;
  help: string;
  /** The default in production (`--production` or NODE_ENV=production) where it differs. */
  production?: unknown;
  /** Never echoed in a message: a password may be in it. */
  secret?: boolean;
  /** What a wrong value is told, where the form's own words would not say it. */
  expected?: string;
  /** Read from flags and the environment only: the file cannot name itself. */
  notInFile?: boolean;
  /** A boolean flag that turns an on-off setting off (`--no-seed`). */
  negative?: string;
}

const MAX_TIMER = 2 ** 31 - 1;
const ms = (help: string, fallback: number, min = 1, more: Partial<Meta> & { env: string }) =>
  Type.Integer({ minimum: min, maximum: MAX_TIMER, default: fallback, form: 'integer', section: 'limits', placeholder: 'N', help, ...more });

const concurrency = (help: string, fallback: number, env: string, flag: string) =>
  Type.Integer({ minimum: 1, maximum: 100_000, default: fallback, env, flag, placeholder: 'N', form: 'integer', section: 'webhooks', help });

/** A quota's default for every service: its name, default and meaning are the core's (rules/quota.ts). */
const quota = (name: QuotaName) =>
  Type.Integer({
    minimum: 0, maximum: QUOTA_MAX, default: DEFAULT_QUOTAS[name], env: `QUOTA_${name.toUpperCase()}`, flag: `quota-${name.replaceAll('_', '-')}`, placeholder: 'N', form: 'integer', section: 'quotas',
    help: `At most this many ${QUOTA_TEXT[name]} (0: none)`,
  });

/** The settings, in the order `--help` shows them; `production` first, as other defaults follow it. */
export const SETTINGS = Type.Object({
  production: Type.Boolean({
    default: false, env: 'NODE_ENV', flag: 'production', form: 'production', section: 'server',
    help: 'Production: no demo seeded, the "test" service closed, new services refuse legacy SHA1 signatures, and a warning for each unsafe setting left on (NODE_ENV=production does the same)',
  }),
  settingsFile: Type.String({
    default: 'user-badges.env', env: 'SETTINGS_FILE', flag: 'settings', placeholder: 'FILE', form: 'text', section: 'data', notInFile: true,
    help: 'A file of NAME=value lines with any of these settings, read by every command (without it: user-badges.env in the working folder, if there is one)',
  }),
  dataFile: Type.String({
    default: 'data/db.json', env: 'DATA_FILE', flag: 'data', placeholder: 'FILE', form: 'text', section: 'data',
    help: "The embedded store's main file; the rest goes in the folder beside it (db.d/)",
  }),
  databaseUrl: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://', env: 'DATABASE_URL', flag: 'database', placeholder: 'URL', form: 'text', section: 'data', secret: true,
      expected: 'a postgres:// or postgresql:// URL',
      help: 'PostgreSQL instead of the embedded store, shared by every server on it (user-badges postgres start makes one for development)',
    }),
  ),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, env: 'PORT', flag: 'port', placeholder: 'N', form: 'integer', section: 'server', help: 'Port to listen on (0 picks a free one)' }),
  host: Type.String({ minLength: 1, default: 'localhost', env: 'HOST', flag: 'host', placeholder: 'H', form: 'text', section: 'server', help: 'Address to listen on (0.0.0.0 for every interface)' }),
  seed: Type.Boolean({
    default: true, production: false, env: 'SEED', negative: 'no-seed', form: 'on-off', section: 'server',
    help: 'Give a new, empty store the "demo" service once the server listens (--no-seed: leave it empty)',
  }),
  testService: Type.Boolean({
    default: true, production: false, env: 'TEST_SERVICE', flag: 'test-service', placeholder: 'on|off', form: 'on-off', section: 'server',
    help: 'Whether the service named "test" takes writes without a key',
  }),
  requestLog: Type.Boolean({ default: true, env: 'REQUEST_LOG', flag: 'request-log', placeholder: 'on|off', form: 'on-off', section: 'server', help: 'One JSON line per request on stdout' }),
  adminToken: Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7e]{16,200}$', env: 'ADMIN_TOKEN', form: 'text', section: 'server', secret: true,
      expected: '16-200 visible ASCII characters',
      help: "The admin API's operator token; without it, serve on the embedded store makes one and keeps it in db.d/admin-token",
    }),
  ),
  checkpointBytes: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 8 * 1024 * 1024, env: 'CHECKPOINT_BYTES', flag: 'checkpoint-bytes', placeholder: 'N', form: 'integer', section: 'limits', help: 'Journal size that starts a checkpoint of the embedded store' }),
  headersTimeoutMs: ms('Headers must arrive within this time', 10_000, 1, { env: 'HEADERS_TIMEOUT_MS', flag: 'headers-timeout-ms' }),
  bodyTimeoutMs: ms('A body must arrive within this time of its headers (else 408)', 10_000, 1, { env: 'BODY_TIMEOUT_MS', flag: 'body-timeout-ms' }),
  bodyBudgetBytes: ms('Bytes that bodies still arriving may hold together, counted as they arrive (beyond it, 503)', 16 * 1024 * 1024, 1, { env: 'BODY_BUDGET_BYTES', flag: 'body-budget-bytes' }),
  bodyPeerBudgetBytes: ms('The part of it the bodies of one client address (an IPv6 /64) may hold together (beyond it, 503)', 4 * 1024 * 1024, 1, { env: 'BODY_PEER_BUDGET_BYTES', flag: 'body-peer-budget-bytes' }),
  maxConnections: ms('Open connections at most; more are closed as they arrive', 4096, 1, { env: 'MAX_CONNECTIONS', flag: 'max-connections' }),
  shutdownGraceMs: ms('On SIGTERM or SIGINT, how long requests in progress may take', 10_000, 0, { env: 'SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms' }),
  storageRetryMs: ms('While the disk refuses writes, how often to try again', 1000, 1, { env: 'STORAGE_RETRY_MS', flag: 'storage-retry-ms' }),
  invitationTtlMs: Type.Integer({
    minimum: 0, default: 90 * 86_400_000, env: 'INVITATION_TTL', flag: 'invitation-ttl', placeholder: 'TIME', form: 'duration-or-0', section: 'webhooks',
    help: 'Invitations (awards to addresses nobody has yet) expire after this (90d, 12h; 0: never)',
  }),
  webhookAllowPrivate: Type.Boolean({
    default: false, env: 'WEBHOOK_ALLOW_PRIVATE', flag: 'webhook-allow-private', placeholder: 'on|off', form: 'on-off', section: 'webhooks',
    help: 'Whether webhook endpoints may be on loopback or private addresses',
  }),
  webhookLeaseMs: ms('How long an instance holds a delivery it sends', 60_000, 1, { env: 'WEBHOOK_LEASE_MS', flag: 'webhook-lease-ms', section: 'webhooks' }),
  webhookRetryScale: Type.Number({ minimum: 0, default: 1, env: 'WEBHOOK_RETRY_SCALE', flag: 'webhook-retry-scale', placeholder: 'X', form: 'number', section: 'webhooks', help: 'A factor on the Standard Webhooks retry schedule' }),
  webhookPollMs: ms('How often due deliveries are looked for besides new ones', 1000, 1, { env: 'WEBHOOK_POLL_MS', flag: 'webhook-poll-ms', section: 'webhooks' }),
  webhookLogRetentionMs: Type.Integer({
    minimum: 1, default: 30 * 86_400_000, env: 'WEBHOOK_LOG_RETENTION', flag: 'webhook-log-retention', placeholder: 'TIME', form: 'duration', section: 'webhooks',
    help: 'How long webhook messages and attempts are kept (30d, 12h)',
  }),
  webhookConcurrency: concurrency('Webhook attempts in flight at most, of this instance', 32, 'WEBHOOK_CONCURRENCY', 'webhook-concurrency'),
  webhookServiceConcurrency: concurrency("Of them, one service's at most: its slow receivers cannot hold the others' deliveries", 8, 'WEBHOOK_SERVICE_CONCURRENCY', 'webhook-service-concurrency'),
  webhookEndpointConcurrency: concurrency("Of them, one endpoint's at most", 4, 'WEBHOOK_ENDPOINT_CONCURRENCY', 'webhook-endpoint-concurrency'),
  quotaWebhookEndpoints: quota('webhook_endpoints'),
  quotaRedeliveries: quota('redeliveries'),
  quotaEvents: quota('events'),
  quotaRejectedEvents: quota('rejected_events'),
  quotaInvitations: quota('invitations'),
  quotaClaimCodes: quota('claim_codes'),
  liveMaxStreams: ms('Live streams this server holds at most; each is a connection too, so raise MAX_CONNECTIONS with it', 10_000, 1, { env: 'LIVE_MAX_STREAMS', flag: 'live-max-streams', section: 'live' }),
  liveMaxPerIp: ms('Live streams from one address at most (a page needs one for all its elements)', 32, 1, { env: 'LIVE_MAX_PER_IP', flag: 'live-max-per-ip', section: 'live' }),
  liveMaxPerService: ms('Live streams of one service at most, so that one busy site does not take every stream', 5_000, 1, { env: 'LIVE_MAX_PER_SERVICE', flag: 'live-max-per-service', section: 'live' }),
  liveHeartbeatMs: ms('How often a live stream says it is alive, so that proxies keep it open', 25_000, 1, { env: 'LIVE_HEARTBEAT_MS', flag: 'live-heartbeat-ms', section: 'live' }),
  publicUrl: Type.Optional(
    Type.String({
      pattern: '^https?://[^/?#\\s]+$', env: 'PUBLIC_URL', flag: 'public-url', placeholder: 'URL', form: 'text', section: 'openbadges',
      expected: 'an origin such as https://badges.example.com (no path)',
      help: "The server's public origin: Open Badges assertions, credentials and issuer profiles are published under it, and verifiers check that they all are. Keep it for good: it is inside every credential issued (default: the origin each request names, for development)",
    }),
  ),
  issuerKeySecret: Type.Optional(
    Type.String({
      minLength: 32, env: 'ISSUER_KEY_SECRET', form: 'text', section: 'openbadges', secret: true,
      expected: 'at least 32 characters',
      help: "Encrypts the issuers' signing keys at rest (openssl rand -base64 32). Required in production to sign Open Badges 3.0 credentials; without it, development uses a fixed, public development secret",
    }),
  ),
});

export type Settings = Static<typeof SETTINGS>;
export type SettingName = keyof Settings;

type Declared = TSchema & Meta & { default?: unknown; minimum?: number; maximum?: number };

/** Each setting's declaration, in order. */
export const declarations = (): [SettingName, Declared][] =>
  Object.entries(SETTINGS.properties).map(([name, schema]) => [name as SettingName, schema as unknown as Declared]);

/** Where the settings come from. `flags` are by flag name, as parsed from the command line. */
export interface SettingsSources {
  flags?: Readonly<Record<string, string | boolean | undefined>>;
  env?: NodeJS.ProcessEnv;
  /** The settings file's values by variable name, and its path (for messages). */
  file?: { path: string; values: Readonly<Record<string, string>> };
}

/** Settings that failed their check: every one of them, one line each. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** The settings, each checked against its declaration; throws a SettingsError naming every bad one. */
export function readSettings({ flags = {}, env = {}, file }: SettingsSources): Settings {
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  const known = new Set(declarations().map(([, d]) => d.env));
  if (file) {
    for (const name of Object.keys(file.values)) if (!known.has(name)) problems.push(`${file.path}: ${name} is not a setting (${[...known].join(', ')})`);
  }
  for (const [name, declared] of declarations()) {
    const flag = declared.negative && flags[declared.negative] === true ? false : declared.flag === undefined ? undefined : flags[declared.flag];
    const fromEnv = env[declared.env];
    const fromFile = declared.notInFile ? undefined : file?.values[declared.env];
    const [raw, source] =
      flag !== undefined ? [flag, `--${declared.flag ?? declared.negative}`]
      : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, declared.env]
      : fromFile !== undefined && fromFile !== '' ? [fromFile, `${declared.env} in ${file!.path}`]
      : [undefined, declared.env];
    if (raw === undefined) {
      const fallback = settings.production === true && 'production' in declared ? declared.production : declared.default;
      if (fallback !== undefined) settings[name] = fallback;
      continue;
    }
    const value = typeof raw === 'boolean' ? raw : fromText(declared, raw);
    if (value === undefined || !Value.Check(declared, value)) {
      problems.push(`${source} must be ${expected(declared)}${declared.secret ? '' : `, not "${raw}"`}`);
      continue;
    }
    settings[name] = value;
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings as Settings;
}

function fromText(declared: Declared, raw: string): unknown {
  const text = raw.trim();
  switch (declared.form) {
    case 'integer':
      return /^\d{1,16}$/.test(text) ? Number(text) : undefined;
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined;
    case 'on-off': {
      const word = text.toLowerCase();
      return ['on', 'true', '1'].includes(word) ? true : ['off', 'false', '0'].includes(word) ? false : undefined;
    }
    case 'duration':
      return parseDuration(text);
    case 'duration-or-0':
      return text === '0' ? 0 : parseDuration(text);
    case 'production':
      // NODE_ENV names other modes too (development, test): only "production" means this one.
      return text === 'production';
    case 'text':
      return raw;
  }
}

function expected(declared: Declared): string {
  if (declared.expected) return declared.expected;
  switch (declared.form) {
    case 'integer':
      return `a whole number from ${declared.minimum} to ${declared.maximum}`;
    case 'number':
      return `a number of at least ${declared.minimum}`;
    case 'on-off':
      return 'on or off';
    case 'duration':
      return 'a whole number and s, m, h or d (e.g. 30d)';
    case 'duration-or-0':
      return 'like 90d, 12h or 0 (never)';
    default:
      return 'set';
  }
}

/** The flags a command takes for some settings, as node:util parseArgs declares them. */
export function settingFlags(names: readonly SettingName[]): Record<string, { type: 'string' | 'boolean' }> {
  const flags: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, declared] of declarations()) {
    if (!names.includes(name)) continue;
    if (declared.flag) flags[declared.flag] = { type: declared.form === 'production' ? 'boolean' : 'string' };
    if (declared.negative) flags[declared.negative] = { type: 'boolean' };
  }
  return flags;
}

/**
 * `--help` lines for some settings: flag, variable, what it does and its default. `--no-seed` is how
 * the seed flag is usually typed, so it is shown so.
 */
export function settingsHelp(names: readonly SettingName[], width = 110): string[] {
  const lines: string[] = [];
  const order = Object.keys(SECTIONS);
  const chosen = declarations()
    .filter(([name]) => names.includes(name))
    .sort(([, a], [, b]) => order.indexOf(a.section) - order.indexOf(b.section));
  const sections = new Set(chosen.map(([, d]) => d.section));
  for (const [index, [, declared]] of chosen.entries()) {
    if (sections.size > 1 && declared.section !== chosen[index - 1]?.[1].section) lines.push(`  ${SECTIONS[declared.section]}:`);
    const flag = declared.negative ? `--${declared.negative}` : !declared.flag ? '' : declared.form === 'production' ? `--${declared.flag}` : `--${declared.flag} ${declared.placeholder ?? 'VALUE'}`;
    const variable = declared.form === 'on-off' ? `${declared.env}=on|off` : declared.env;
    const fallback = describeDefault(declared);
    lines.push(...wrap(`  ${[flag, variable].filter(Boolean).join(', ')}`, `${declared.help}${fallback ? ` (default ${fallback})` : ''}`, width));
  }
  return lines;
}

function describeDefault(declared: Declared): string {
  const show = (value: unknown): string => {
    if (typeof value === 'boolean') return value ? 'on' : 'off';
    if (typeof value === 'number' && declared.form.startsWith('duration')) return value === 0 ? '0' : `${value / 86_400_000}d`;
    return String(value);
  };
  if (declared.form === 'production' || declared.notInFile || declared.default === undefined) return '';
  return 'production' in declared ? `${show(declared.default)}; ${show(declared.production)} in production` : show(declared.default);
}

/** `head` then the text, wrapped at `width` under a column of its own (on the next line if `head` is long). */
export function wrap(head: string, text: string, width = 110, column = 34): string[] {
  const lines: string[] = [];
  let line = head.length + 2 <= column ? head.padEnd(column) : (lines.push(head), ' '.repeat(column));
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(column);
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** A connection string without its password, for logs and messages. */
export const redactUrl = (url: string) => url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
