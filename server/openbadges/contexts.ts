/**
 * The JSON-LD contexts Open Badges needs, bundled from npm packages and never fetched: a signature
 * over a document means what its contexts say, so a context read from the network at run time would
 * let whoever answers that request change what is signed (and a server with no network could not
 * sign at all). context-loader.ts serves them and refuses every other URL.
 */

export const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1 = 'https://www.w3.org/2018/credentials/v1';
/** Open Badges 3.0's context, version 3.0.3 (the package holds 3.0 to 3.0.3; 3.0.3 is the one in force). */
export const OB_V3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
export const DATA_INTEGRITY_V2 = 'https://w3id.org/security/data-integrity/v2';
/** Open Badges 2.0's context: named in hosted assertions, never processed here (2.0 signs nothing). */
export const OB_V2 = 'https://w3id.org/openbadges/v2';
