import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { Value } from '@sinclair/typebox/value';
import { importJWK, jwtVerify, decodeProtectedHeader } from 'jose';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  activeKey,
  badgePng,
  badgeSvg,
  bakePng,
  bakeSvg,
  buildAssertion,
  buildCredential,
  buildProfile,
  buildStatusListCredential,
  encodeList,
  generateIssuerKey,
  identityHash,
  isSet,
  keyEncryptionKey,
  KeySecretMismatch,
  LIST_SIZE,
  openIssuerKey,
  profileDocumentAt,
  revokedAssertion,
  rotate,
  signJwt,
  statusEntry,
  unbakePng,
  unbakeSvg,
  verificationMethodId,
  verifyJwt,
  jwkUrl,
  type IssuerKey,
  type ProfileDocument,
} from '../../server/openbadges/index.js';
import { documentLoader, signDataIntegrity, verifyCredential } from '../../server/openbadges/signing.js';
import { AchievementCredentialShape } from '../support/ob3-schema.js';

const ORIGIN = 'https://badges.example';
const ISSUER = `${ORIGIN}/ob/v3/demo/issuers/default`;
const kek = keyEncryptionKey('correct horse battery staple, and then some more');

describe('Open Badges 2.0 documents', () => {
  test('the recipient is the salted SHA-256 of the lower-cased email, never the email', () => {
    const assertion = buildAssertion({
      id: `${ORIGIN}/ob/v2/demo/assertions/aw_1`,
      badge: `${ORIGIN}/ob/v2/demo/badges/commenter`,
      issuedOn: '2026-01-01T00:00:00.000Z',
      recipient: { type: 'email', identity: ' Daniel@Example.com' },
      salt: 'aw_1',
    }) as Record<string, any>;
    const expected = 'sha256$' + createHash('sha256').update('daniel@example.comaw_1').digest('hex');
    assert.deepEqual(assertion.recipient, { type: 'email', hashed: true, salt: 'aw_1', identity: expected });
    assert.equal(identityHash('daniel@example.com', 'aw_1'), expected);
    assert.deepEqual(assertion.verification, { type: 'hosted' });
    assert.equal(assertion['@context'], 'https://w3id.org/openbadges/v2');
    assert.ok(!JSON.stringify(assertion).toLowerCase().includes('daniel@'));
  });

  test('a revoked assertion says so, with its reason', () => {
    assert.deepEqual(revokedAssertion('u', 'cheated'), { '@context': 'https://w3id.org/openbadges/v2', type: 'Assertion', id: 'u', revoked: true, revocationReason: 'cheated' });
  });
});

describe('baking', () => {
  const json = JSON.stringify({ id: 'https://badges.example/a', narrative: 'a ]]> b "quoted" <tag>' });

  test('PNG: one uncompressed iTXt "openbadges" chunk with valid CRC; baking again replaces it', () => {
    const png = badgePng('gold', 32);
    const once = bakePng(png, json);
    assert.equal(unbakePng(once), json);
    const twice = bakePng(once, '{"second":true}');
    assert.equal(unbakePng(twice), '{"second":true}');
    // Walk the chunks: every CRC checks out, exactly one openbadges chunk, IEND last.
    const types: string[] = [];
    for (let offset = 8; offset < twice.length; ) {
      const length = twice.readUInt32BE(offset);
      const type = twice.toString('latin1', offset + 4, offset + 8);
      assert.equal(twice.readUInt32BE(offset + 8 + length), crc32(twice.subarray(offset + 4, offset + 8 + length)), `CRC of ${type}`);
      if (type === 'iTXt') assert.equal(twice[offset + 8 + 'openbadges'.length + 1], 0, 'compression flag 0');
      types.push(type);
      offset += 12 + length;
    }
    assert.deepEqual(types, ['IHDR', 'IDAT', 'iTXt', 'IEND']);
    assert.equal(unbakePng(png), undefined);
    assert.throws(() => bakePng(Buffer.from('not a png'), json), /Not a PNG/);
  });

  test('SVG: the openbadges namespace on the root, the assertion first inside it, CDATA that survives "]]>"', () => {
    const svg = badgeSvg('silver', 'Commenter <3');
    const baked = bakeSvg(svg, 'https://badges.example/a?x=1&y="2"', json);
    assert.match(baked, /^<svg xmlns:openbadges="http:\/\/openbadges.org" xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*><openbadges:assertion verify=/);
    assert.deepEqual(unbakeSvg(baked), { verify: 'https://badges.example/a?x=1&y="2"', json });
    const again = bakeSvg(baked, 'https://badges.example/b', '{}');
    assert.equal(again.match(/<openbadges:assertion/g)?.length, 1);
    assert.equal(again.match(/xmlns:openbadges/g)?.length, 1);
    assert.deepEqual(unbakeSvg(again), { verify: 'https://badges.example/b', json: '{}' });
  });
});

describe('issuer keys', () => {
  test('sealed at rest: the record holds no private key, and only the right secret and record open it', () => {
    const key = generateIssuerKey(ISSUER, kek, '2026-01-01T00:00:00.000Z');
    const opened = openIssuerKey(ISSUER, key, kek);
    const seed = Buffer.from(opened.privateKey.export({ format: 'jwk' }).d!, 'base64url');
    assert.ok(!JSON.stringify(key).includes(seed.toString('base64url')));
    assert.ok(!JSON.stringify(key).includes(seed.toString('hex')));
    assert.throws(() => openIssuerKey(ISSUER, key, keyEncryptionKey('another secret of thirty-two characters or more')), KeySecretMismatch);
    assert.throws(() => openIssuerKey(`${ORIGIN}/ob/v3/demo/issuers/other`, key, kek), KeySecretMismatch);
    assert.throws(() => openIssuerKey(ISSUER, { ...key, id: 'key-else' }, kek), KeySecretMismatch);
    assert.throws(() => keyEncryptionKey('short'), /at least 32/);
  });

  test('rotation retires the signing key and keeps it published', () => {
    const first = generateIssuerKey(ISSUER, kek, '2026-01-01T00:00:00.000Z', 'key-1');
    const second = generateIssuerKey(ISSUER, kek, '2026-02-01T00:00:00.000Z', 'key-2');
    const keys = rotate([first], second, '2026-02-01T00:00:00.000Z');
    assert.equal(activeKey(keys)?.id, 'key-2');
    assert.equal(keys[0]!.retired, '2026-02-01T00:00:00.000Z');
    const profile = buildProfile({ id: ISSUER, name: 'Demo' }, keys);
    assert.deepEqual(profile.assertionMethod, [verificationMethodId(ISSUER, 'key-1'), jwkUrl(ISSUER, 'key-1'), verificationMethodId(ISSUER, 'key-2'), jwkUrl(ISSUER, 'key-2')]);
    assert.ok(!JSON.stringify(profile).includes('sealed'));
  });
});

describe('status lists', () => {
  test('16 KB of bits, bit 0 the first byte\'s highest, GZIP and base64url multibase', () => {
    const encoded = encodeList([0, 9, LIST_SIZE - 1]);
    assert.ok(encoded.startsWith('u'));
    for (const [index, set] of [[0, true], [1, false], [9, true], [8, false], [LIST_SIZE - 1, true], [LIST_SIZE - 2, false]] as const) assert.equal(isSet(encoded, index), set, String(index));
    assert.throws(() => statusEntry('u', LIST_SIZE), RangeError);
    assert.deepEqual(statusEntry(`${ORIGIN}/s/1`, 7), { id: `${ORIGIN}/s/1#7`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: `${ORIGIN}/s/1` });
  });
});

/** An issuer with two keys (the first retired), its profile and status list as a verifier sees them. */
async function world(revoked: number[] = []) {
  const keys: IssuerKey[] = rotate([generateIssuerKey(ISSUER, kek, '2026-01-01T00:00:00.000Z', 'key-1')], generateIssuerKey(ISSUER, kek, '2026-02-01T00:00:00.000Z', 'key-2'), '2026-02-01T00:00:00.000Z');
  const profile: ProfileDocument = buildProfile({ id: ISSUER, name: 'Demo forum', url: ORIGIN, email: 'badges@example.com' }, keys);
  const listUrl = `${ORIGIN}/ob/v3/demo/status/default/0`;
  const list: Record<string, object> = {};
  const loader = documentLoader((url) => list[url] ?? profileDocumentAt(profile, url.split('#')[0] === ISSUER || url.startsWith(`${ISSUER}/keys/`) ? url : ''));
  const signer = (id: string) => openIssuerKey(ISSUER, keys.find((key) => key.id === id)!, kek).privateKey;
  list[listUrl] = await signDataIntegrity(buildStatusListCredential({ id: listUrl, issuer: ISSUER, validFrom: '2026-02-01T00:00:00Z', revoked }), signer('key-2'), { verificationMethod: verificationMethodId(ISSUER, 'key-2'), created: '2026-02-01T00:00:00Z' }, loader);
  const credential = buildCredential({
    id: `${ORIGIN}/ob/v3/demo/credentials/aw_1`,
    issuer: { id: ISSUER, name: 'Demo forum', url: ORIGIN },
    achievement: { id: `${ORIGIN}/ob/v3/demo/achievements/commenter`, name: 'Commenter', description: 'Posted 25 comments', criteria: { narrative: 'Post **25** comments.' }, image: `${ORIGIN}/ob/demo/badges/commenter.png`, tags: ['forum'] },
    validFrom: '2026-01-15T10:00:00Z',
    email: 'daniel@example.com',
    salt: 'aw_1',
    status: statusEntry(listUrl, 3),
  });
  return { keys, profile, loader, signer, credential, listUrl };
}

describe('Open Badges 3.0 credentials', () => {
  test('the credential has the shape the data model requires, contexts in order', async () => {
    const { credential, signer, loader } = await world();
    const signed = await signDataIntegrity(credential, signer('key-2'), { verificationMethod: verificationMethodId(ISSUER, 'key-2'), created: '2026-01-15T10:00:00Z' }, loader);
    assert.ok(Value.Check(AchievementCredentialShape, signed), JSON.stringify([...Value.Errors(AchievementCredentialShape, signed)].slice(0, 3)));
    assert.deepEqual(signed['@context'], ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    assert.ok(!JSON.stringify(signed).includes('daniel@'));
    assert.equal(signed.credentialSubject.identifier?.[0]?.identityHash, identityHash('daniel@example.com', 'aw_1'));
    assert.match(signed.credentialSubject.id, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("Data Integrity: verified by Digital Bazaar's verifier from the published profile alone, by old and new keys; any change fails", async () => {
    const { credential, signer, loader } = await world();
    const suite = new DataIntegrityProof({ cryptosuite });
    for (const keyId of ['key-1', 'key-2']) {
      const signed = await signDataIntegrity(credential, signer(keyId), { verificationMethod: verificationMethodId(ISSUER, keyId), created: '2026-01-15T10:00:00Z' }, loader);
      const result = await vc.verifyCredential({ credential: signed, suite, documentLoader: loader, checkStatus: async () => ({ verified: true }) });
      assert.equal(result.verified, true, JSON.stringify(result.error ?? result.results));
      const tampered = structuredClone(signed);
      tampered.credentialSubject.achievement.name = 'Commenter (gold)';
      assert.equal((await vc.verifyCredential({ credential: tampered, suite, documentLoader: loader, checkStatus: async () => ({ verified: true }) })).verified, false);
    }
  });

  test('a key the profile does not publish does not verify, even with a valid signature', async () => {
    const { credential, loader } = await world();
    const stranger = openIssuerKey(ISSUER, generateIssuerKey(ISSUER, kek, '2026-01-01T00:00:00.000Z', 'key-9'), kek).privateKey;
    const signed = await signDataIntegrity(credential, stranger, { verificationMethod: verificationMethodId(ISSUER, 'key-9'), created: '2026-01-15T10:00:00Z' }, loader);
    const result = await verifyCredential(signed, loader);
    assert.equal(result.verified, false);
    assert.equal(result.checks.find((check) => check.name === 'signature')?.ok, false);
  });

  test('the status list tells a verifier of a revocation', async () => {
    for (const [revoked, expected] of [[[], false], [[3], true], [[2, 4], false]] as const) {
      const { credential, signer, loader } = await world([...revoked]);
      const signed = await signDataIntegrity(credential, signer('key-2'), { verificationMethod: verificationMethodId(ISSUER, 'key-2'), created: '2026-01-15T10:00:00Z' }, loader);
      const result = await verifyCredential(signed, loader, new Date('2026-03-01T00:00:00Z'));
      assert.equal(result.revoked, expected, JSON.stringify(result.checks));
      assert.equal(result.verified, !expected);
      assert.deepEqual(result.checks.map((check) => check.name), ['signature', 'status', 'validity']);
    }
  });

  test('VC-JWT: EdDSA, kid resolvable from the profile, registered claims; jose verifies it with the published JWK', async () => {
    const { credential, signer, profile } = await world();
    const kid = jwkUrl(ISSUER, 'key-2');
    const jwt = await signJwt(credential, signer('key-2'), kid);
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'EdDSA', kid, typ: 'JWT' });
    const jwk = profileDocumentAt(profile, kid) as JsonWebKey;
    const { payload } = await jwtVerify(jwt, await importJWK(jwk, 'EdDSA'), { issuer: ISSUER, subject: credential.credentialSubject.id });
    assert.equal(payload.jti, credential.id);
    assert.equal(payload.nbf, Date.parse(credential.validFrom) / 1000);
    const { iss: _i, jti: _j, nbf: _n, sub: _s, ...inside } = payload;
    assert.deepEqual(inside, credential);

    const resolve = async (url: string) => profileDocumentAt(profile, url) as never;
    assert.equal((await verifyJwt(jwt, resolve)).verified, true);
    const [head, body, sig] = jwt.split('.');
    const changed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), name: 'Other' })).toString('base64url');
    assert.equal((await verifyJwt(`${head}.${changed}.${sig}`, resolve)).verified, false);
    const retired = await signJwt(credential, signer('key-1'), jwkUrl(ISSUER, 'key-1'));
    assert.equal((await verifyJwt(retired, resolve)).verified, true, 'a retired key still verifies what it signed');
    assert.equal((await verifyJwt(retired, async () => undefined)).verified, false);
  });

  test('the issuer key is found through activeKey after rotation, and signs', async () => {
    const { keys } = await world();
    assert.equal(activeKey(keys)?.id, 'key-2');
    assert.equal(activeKey([]), undefined);
  });
});
