import { createHash, sign, type KeyObject } from 'node:crypto';
import * as base58 from 'base58-universal';
import jsonld, { type DocumentLoader } from 'jsonld';

/**
 * An embedded Data Integrity proof with the `eddsa-rdfc-2022` cryptosuite (W3C VC Data Integrity
 * EdDSA Cryptosuites v1.0, section 3.3): canonicalise the proof options and the document with
 * RDFC-1.0, hash each with SHA-256, sign proofHash || documentHash with Ed25519, and encode the
 * signature as base58btc multibase.
 *
 * The steps are ours (they are few); the hard parts are not: canonicalisation is jsonld.js's
 * (rdf-canonize, by the editors of RDFC-1.0) and the signature is OpenSSL's Ed25519 through
 * node:crypto, several times faster than a JavaScript Ed25519. Verification is left to Digital
 * Bazaar's implementation (verify.ts), so what signs and what checks are two code paths, and the
 * specification's test vector (test/server/openbadges-vector.test.ts) holds this one byte for byte.
 */

export const CRYPTOSUITE = 'eddsa-rdfc-2022' as const;

export interface ProofOptions {
  /** The verification method's URL: the issuer's profile and the key's fragment. */
  verificationMethod: string;
  /** ISO-8601 without fractions of a second, as the cryptosuite's examples write it. */
  created: string;
  proofPurpose?: 'assertionMethod';
}

export interface DataIntegrityProof {
  type: 'DataIntegrityProof';
  created: string;
  verificationMethod: string;
  cryptosuite: typeof CRYPTOSUITE;
  proofPurpose: string;
  proofValue: string;
}

/** What signing produced on the way, for conformance tests against the specification's vector. */
export interface SigningTrace {
  proofCanonical: string;
  documentCanonical: string;
  proofHash: Buffer;
  documentHash: Buffer;
  signature: Buffer;
}

const canonize = (input: object, documentLoader: DocumentLoader) =>
  // safe: a term no context defines is an error, not silently left out of what is signed.
  jsonld.canonize(input, { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true });

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** `document` with a proof added; `document` itself (without `proof`) is left as it is. */
export async function signDataIntegrity<T extends { '@context': unknown }>(
  document: T,
  privateKey: KeyObject,
  options: ProofOptions,
  documentLoader: DocumentLoader,
  trace?: (steps: SigningTrace) => void,
): Promise<T & { proof: DataIntegrityProof }> {
  const { proof: _unsigned, ...unsigned } = document as T & { proof?: unknown };
  const proofConfig = {
    type: 'DataIntegrityProof' as const,
    created: options.created,
    verificationMethod: options.verificationMethod,
    cryptosuite: CRYPTOSUITE,
    proofPurpose: options.proofPurpose ?? 'assertionMethod',
  };
  const [proofCanonical, documentCanonical] = await Promise.all([
    canonize({ '@context': document['@context'], ...proofConfig }, documentLoader),
    canonize(unsigned, documentLoader),
  ]);
  const proofHash = sha256(proofCanonical);
  const documentHash = sha256(documentCanonical);
  const signature = sign(null, Buffer.concat([proofHash, documentHash]), privateKey);
  trace?.({ proofCanonical, documentCanonical, proofHash, documentHash, signature });
  return { ...(unsigned as T), proof: { ...proofConfig, proofValue: 'z' + base58.encode(signature) } };
}
