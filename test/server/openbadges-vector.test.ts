import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { BUNDLED, documentLoader, signDataIntegrity, type SigningTrace } from '../../server/openbadges/signing.js';
import { multibaseOf, privateKeyFromSeed, publicJwkOf } from '../../server/openbadges/keys.js';
import { verifyProof } from '../../server/openbadges/verify.js';
import { KEY, OB_CONTEXT_OF_THE_VECTOR, PROOF_OPTIONS, V1, V2 } from '../support/ob-vector.js';

/**
 * Conformance of the Data Integrity signer with the specification's own test vector (Open Badges 3.0
 * Implementation Guide, "Linked Data Proof Test Vector for Open Badges 3.0"; the values and what
 * each form of it holds are in test/support/ob-vector.ts). Everything compared here was published
 * by 1EdTech; nothing is a value this project produced and then wrote down.
 */

const privateKey = privateKeyFromSeed(Buffer.from(KEY.privateKeyHex.slice(0, 64), 'hex'));

/** The bundled loader, with the vector's OB context URL served as the context version its canonical form was made with. */
const loaderServing = (obContextUrl: string) =>
  documentLoader((url) => (url === OB_CONTEXT_OF_THE_VECTOR ? BUNDLED.get(obContextUrl) : undefined));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('Open Badges 3.0 test vector, VCDM 1.1 form: reproduced byte for byte', () => {
  const loader = loaderServing('https://purl.imsglobal.org/spec/ob/v3p0/context.json');

  test('the key pair is the published one, and its Multikey the published value', () => {
    const jwk = publicJwkOf(privateKey);
    assert.equal(Buffer.from(jwk.x, 'base64url').toString('hex'), KEY.publicKeyHex);
    assert.equal(KEY.privateKeyHex.slice(64), KEY.publicKeyHex, 'the published private key is seed || public key');
    assert.equal(multibaseOf(jwk), KEY.publicKeyMultibase);
  });

  test('canonical forms, hashes, data to sign, signature, proofValue and the signed credential', async () => {
    let trace: SigningTrace | undefined;
    const signed = await signDataIntegrity(V1.document, privateKey, PROOF_OPTIONS, loader, (steps) => (trace = steps));
    assert.ok(trace);
    assert.equal(trace.proofCanonical, V1.proofCanonical);
    assert.equal(trace.documentCanonical, V1.documentCanonical);
    assert.equal(trace.proofHash.toString('hex'), V1.proofHashHex);
    assert.equal(trace.documentHash.toString('hex'), V1.documentHashHex);
    assert.equal(Buffer.concat([trace.proofHash, trace.documentHash]).toString('hex'), V1.dataToSignHex);
    assert.equal(trace.signature.toString('hex'), V1.signatureHex);
    assert.deepEqual(signed.proof, V1.proof);
    assert.deepEqual(signed, { ...V1.document, proof: V1.proof });
  });

  test('the published values agree with each other (the transcription is checked, not trusted)', () => {
    assert.equal(sha256(V1.proofCanonical), V1.proofHashHex);
    assert.equal(sha256(V1.documentCanonical), V1.documentHashHex);
  });
});

describe('Open Badges 3.0 test vector, VCDM 2.0 form', () => {
  const loader = loaderServing('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json');

  test('the canonical proof and document are reproduced byte for byte', async () => {
    let trace: SigningTrace | undefined;
    await signDataIntegrity(V2.document, privateKey, PROOF_OPTIONS, loader, (steps) => (trace = steps));
    assert.ok(trace);
    assert.equal(trace.proofCanonical, V2.proofCanonical);
    assert.equal(trace.documentCanonical, V2.documentCanonical);
  });

  test("the chapter's hash sections are the 1.1 form's, not this form's (why only the canonical forms are compared)", () => {
    assert.notEqual(sha256(V2.proofCanonical), V1.proofHashHex);
    assert.notEqual(sha256(V2.documentCanonical), V1.documentHashHex);
  });

  /** The vector's issuer as a controller document publishing the vector's key, for the independent verifier. */
  const controller = {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://w3id.org/security/multikey/v1', {
      verificationMethod: { '@id': 'https://w3id.org/security#verificationMethod', '@type': '@id', '@container': '@set' },
      assertionMethod: { '@id': 'https://w3id.org/security#assertionMethod', '@type': '@id', '@container': '@set' },
    }],
    id: KEY.controller,
    verificationMethod: [{ id: KEY.id, type: 'Multikey', controller: KEY.controller, publicKeyMultibase: KEY.publicKeyMultibase }],
    assertionMethod: [KEY.id],
  };
  const verifierLoader = documentLoader((url) => {
    if (url === OB_CONTEXT_OF_THE_VECTOR) return BUNDLED.get('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json');
    if (url === KEY.controller) return controller;
    if (url === KEY.id) return { '@context': 'https://w3id.org/security/multikey/v1', ...controller.verificationMethod[0] };
    return undefined;
  });

  test("its signature verifies with Digital Bazaar's verifier and the published public key, and fails once a field changes", async () => {
    const signed = await signDataIntegrity(V2.document, privateKey, PROOF_OPTIONS, loader);
    assert.deepEqual(await verifyProof(signed, verifierLoader), { ok: true });
    const changes: ((doc: typeof signed) => void)[] = [
      (doc) => (doc.name = 'Teamwork Badge!'),
      (doc) => (doc.validFrom = '2010-01-01T00:00:01Z'),
      (doc) => (doc.credentialSubject.achievement.criteria.narrative += ' '),
      (doc) => (doc.credentialSubject.id = 'did:example:someone-else'),
      (doc) => (doc.issuer.name = 'Example Corp.'),
      (doc) => (doc.proof.created = '2010-01-01T19:23:25Z'),
    ];
    for (const change of changes) {
      const tampered = structuredClone(signed);
      change(tampered);
      assert.equal((await verifyProof(tampered, verifierLoader)).ok, false, change.toString());
    }
  });
});

test('the bundled loader refuses every URL it does not bundle: nothing is fetched', async () => {
  const loader = documentLoader();
  await assert.rejects(loader('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.4.json'), { code: 'refused_document' });
  await assert.rejects(loader('https://example.edu/issuers/565049'), { code: 'refused_document' });
  for (const url of ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://w3id.org/security/multikey/v1', 'https://w3id.org/security/data-integrity/v2', 'https://www.w3.org/ns/credentials/status/v1']) {
    assert.ok((await loader(url)).document, url);
  }
});
