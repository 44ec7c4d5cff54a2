import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { DocumentLoader } from 'jsonld';
import type { StatusListCredential } from './status-list.js';
import { isSet } from './status-list.js';

/**
 * Checking a credential the way a verifier elsewhere would: with Digital Bazaar's implementation of
 * VC Data Integrity and eddsa-rdfc-2022 (not the code that signed it, data-integrity.ts), resolving
 * the issuer's key and status list only through `documentLoader`, which serves bundled contexts and
 * the documents the issuer publishes. Each check is reported, so a page can say what it checked.
 */

export interface Check {
  name: 'signature' | 'status' | 'validity';
  ok: boolean;
  detail: string;
}

export interface Verification {
  verified: boolean;
  revoked: boolean;
  checks: Check[];
}

const suite = () => new DataIntegrityProof({ cryptosuite });

/** Verifies one Data Integrity proof; the message of the first error when it fails. */
export async function verifyProof(document: object, documentLoader: DocumentLoader, now = new Date()): Promise<{ ok: boolean; error?: string }> {
  try {
    const result = await vc.verifyCredential({ credential: document, suite: suite(), documentLoader, now, checkStatus: async () => ({ verified: true }) });
    if (result.verified) return { ok: true };
    const error = result.results?.find((r) => !r.verified)?.error?.message ?? result.error?.errors?.[0]?.message ?? result.error?.message ?? 'not verified';
    return { ok: false, error };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

interface Statused {
  validFrom?: string;
  validUntil?: string;
  issuer: { id: string } | string;
  credentialStatus?: { statusPurpose: string; statusListIndex: string; statusListCredential: string };
}

/**
 * Every check of a credential with an embedded proof: its signature, its place in the status list
 * (the list itself verified too, and issued by the same issuer), and its validity period.
 */
export async function verifyCredential(credential: Statused & object, documentLoader: DocumentLoader, now = new Date()): Promise<Verification> {
  const checks: Check[] = [];
  const proof = await verifyProof(credential, documentLoader, now);
  checks.push({ name: 'signature', ok: proof.ok, detail: proof.ok ? 'The eddsa-rdfc-2022 proof verifies with a key the issuer publishes' : `The proof does not verify: ${proof.error}` });

  let revoked = false;
  const status = credential.credentialStatus;
  if (status) {
    try {
      const { document } = await documentLoader(status.statusListCredential);
      const list = document as StatusListCredential;
      const listProof = await verifyProof(list, documentLoader, now);
      const issuerId = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
      if (!listProof.ok) checks.push({ name: 'status', ok: false, detail: `The status list does not verify: ${listProof.error}` });
      else if (list.issuer !== issuerId) checks.push({ name: 'status', ok: false, detail: 'The status list is not issued by the credential\'s issuer' });
      else {
        revoked = isSet(list.credentialSubject.encodedList, Number(status.statusListIndex));
        checks.push({ name: 'status', ok: !revoked, detail: revoked ? 'Revoked: its entry in the issuer\'s status list is set' : 'Not revoked: its entry in the issuer\'s signed status list is clear' });
      }
    } catch (error) {
      checks.push({ name: 'status', ok: false, detail: `The status list could not be read: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  // As instants: ISO-8601 texts with and without fractions of a second do not compare as strings.
  const early = credential.validFrom !== undefined && Date.parse(credential.validFrom) > now.getTime();
  const late = credential.validUntil !== undefined && Date.parse(credential.validUntil) <= now.getTime();
  checks.push({ name: 'validity', ok: !early && !late, detail: early ? `Not valid before ${credential.validFrom}` : late ? `Expired at ${credential.validUntil}` : 'Within its validity period' });
  return { verified: checks.every((check) => check.ok), revoked, checks };
}
