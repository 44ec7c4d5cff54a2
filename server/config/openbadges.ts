/**
 * Open Badges settings (issue 22). Issuer keys are sealed with a key derived from `keySecret`; in
 * production there is no fallback, so a server started without ISSUER_KEY_SECRET serves hosted
 * 2.0 assertions but refuses to sign, and says why, rather than sealing keys with a secret anyone
 * can read in this file.
 */
export interface OpenBadgesConfig {
  /** The origin every Open Badges URL is published under; null: the origin of each request (tests, embedding). */
  publicUrl: string | null;
  /** ISSUER_KEY_SECRET; null: the development secret below, outside production only. */
  keySecret: string | null;
  production: boolean;
}

/** Public on purpose: keys sealed with it are protected from nobody, which is why production refuses it. */
export const DEVELOPMENT_KEY_SECRET = 'user-badges development issuer key secret: not for production';

export const defaultOpenBadgesConfig = (): OpenBadgesConfig => ({ publicUrl: null, keySecret: null, production: false });

/** The secret to seal keys with, or why there is none. */
export function keySecretOf(config: OpenBadgesConfig): { secret: string } | { refused: string } {
  if (config.keySecret) return { secret: config.keySecret };
  if (config.production) {
    return { refused: 'Open Badges 3.0 credentials are not signed: this server runs in production without ISSUER_KEY_SECRET, the secret that encrypts issuer keys at rest. Set it (openssl rand -base64 32) and restart.' };
  }
  return { secret: DEVELOPMENT_KEY_SECRET };
}
