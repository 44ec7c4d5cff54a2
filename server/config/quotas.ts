import { DEFAULT_QUOTAS, QUOTA_NAMES, QUOTA_TEXT, type QuotaName, type Quotas } from '../core/rules/quota.js';

/** The variable that sets a quota for every service: QUOTA_WEBHOOK_ENDPOINTS, QUOTA_EVENTS, ... */
export const quotaVariable = (name: QuotaName) => `QUOTA_${name.toUpperCase()}`;

/**
 * The operator's quotas from the environment, each a whole number (0: none allowed); unset ones
 * keep their defaults. A service's own (the admin API) wins over these.
 */
export function quotasFromEnv(env: NodeJS.ProcessEnv): Quotas {
  const quotas = { ...DEFAULT_QUOTAS };
  for (const name of QUOTA_NAMES) {
    const variable = quotaVariable(name);
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    if (!/^\d{1,15}$/.test(raw.trim())) throw new Error(`${variable} (${QUOTA_TEXT[name]}) must be a whole number, not "${raw}"`);
    quotas[name] = Number(raw);
  }
  return quotas;
}
