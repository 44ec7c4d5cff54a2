import { KEY_KIND, PREVIOUS_KEY_KIND } from '../core/access/keys.js';
import { ENDPOINT_KIND, newEndpointSecret } from '../core/access/webhooks.js';

/** How an export without secrets treats the items of a kind that hold one. */
export interface SecretItems {
  /** The value without its secret, or null to leave the item out. */
  strip: (value: unknown) => unknown | null;
  /** On import of such an export, a stripped value gets a secret of its own. */
  renew?: (value: unknown) => unknown;
}

/**
 * Every record that holds a credential: the service's key (in its record, see export.ts) and these
 * items. Integrations are not here: they keep only a digest of their token. A kind that holds a
 * secret is added here, or `export --without-secrets` would still write it.
 */
export const SECRET_ITEMS: Readonly<Record<string, SecretItems>> = {
  // A scoped key is its secret; without it there is nothing left to restore.
  [KEY_KIND]: { strip: () => null },
  // A service's previous key during its grace.
  [PREVIOUS_KEY_KIND]: { strip: () => null },
  [ENDPOINT_KIND]: {
    strip: (value) => {
      const { secret: _secret, ...endpoint } = value as { secret: string };
      return endpoint;
    },
    renew: (value) => ({ ...(value as object), secret: newEndpointSecret() }),
  },
};
