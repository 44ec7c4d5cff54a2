import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { setEmails } from '../../server/core/access/emails.js';
import { isSet, unbakePng, unbakeSvg } from '../../server/openbadges/index.js';
import { BUNDLED, verifyCredential } from '../../server/openbadges/signing.js';
import { awardOnce, revokeOnce } from '../support/awards.js';
import { AchievementCredentialShape } from '../support/ob3-schema.js';
import { start, type Harness } from './harness.js';

/**
 * Open Badges over HTTP (issue 22), on the store TEST_STORE names. What the server issues is
 * checked the way a verifier elsewhere would: Digital Bazaar's verifier and jose, fed only the
 * bundled contexts and the documents this server publishes, fetched over HTTP.
 */

const SERVICE = 'demo';

/** A document loader as a third party has it: bundled contexts, and this server's documents by HTTP; nothing else. */
function remoteLoader(h: Harness) {
  return async (url: string) => {
    const bundled = BUNDLED.get(url);
    if (bundled) return { contextUrl: null, documentUrl: url, document: bundled };
    if (!url.startsWith(h.base)) throw new Error(`refusing ${url}`);
    const [address, fragment] = url.split('#');
    const response = await fetch(address!);
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    const document = await response.json();
    if (!fragment) return { contextUrl: null, documentUrl: url, document };
    const method = (document.verificationMethod as { id: string }[]).find((candidate) => candidate.id === url);
    if (!method) throw new Error(`${url}: not in the profile`);
    return { contextUrl: null, documentUrl: url, document: { '@context': 'https://w3id.org/security/multikey/v1', ...method } };
  };
}

const suite = () => new DataIntegrityProof({ cryptosuite });
const checkSignature = (h: Harness, credential: object) =>
  vc.verifyCredential({ credential, suite: suite(), documentLoader: remoteLoader(h), checkStatus: async () => ({ verified: true }) });

describe(`Open Badges over HTTP (${process.env.TEST_STORE ?? 'lowdb'})`, () => {
  let h: Harness;
  let award: string;
  const path = (rest: string) => `/v1/${SERVICE}/openbadges${rest}`;

  before(async () => {
    h = await start();
    const put = await h.request('PUT', `/v1/${SERVICE}/badges.json`, {
      headers: { authorization: h.key },
      body: { badges: [{ name: 'closer', title: 'Closer', description: 'Closed 3 tasks in a week', type: 'silver', tags: ['tasks'], criteria: { narrative: 'Close tasks.', items: [{ id: 'c1', description: 'Three tasks closed within 7 days', required: true }] } }] },
    });
    assert.equal(put.status, 200, put.text);
    await h.domain.run(SERVICE, (tx) => setEmails(tx, SERVICE, 'daniel', ['daniel@example.com']));
    award = await awardOnce(h.domain, SERVICE, 'daniel', 'closer', { at: '2026-03-04T05:06:07.089Z', evidence: [{ url: 'https://example.com/OMG-3', reflection: 'Three in a row' }] });
  });
  after(() => h.close());

  test('the hosted 2.0 assertion, its BadgeClass and Issuer: JSON-LD, all on the same origin', async () => {
    const res = await h.request('GET', path(`/assertions/${award}`));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/ld\+json/);
    const assertion = res.json;
    assert.equal(assertion['@context'], 'https://w3id.org/openbadges/v2');
    assert.equal(assertion.type, 'Assertion');
    assert.equal(assertion.id, `${h.base}${path(`/assertions/${award}`)}`);
    assert.deepEqual(assertion.verification, { type: 'hosted' });
    assert.deepEqual(assertion.recipient, { type: 'email', hashed: true, salt: award, identity: 'sha256$' + createHash('sha256').update(`daniel@example.com${award}`).digest('hex') });
    assert.equal(assertion.issuedOn, '2026-03-04T05:06:07.089Z');
    assert.deepEqual(assertion.evidence, [{ type: 'Evidence', id: 'https://example.com/OMG-3', narrative: 'Three in a row' }]);
    assert.ok(!res.text.includes('daniel'), 'no name, no address');

    const badge = await h.request('GET', assertion.badge.slice(h.base.length));
    assert.equal(badge.status, 200);
    assert.equal(badge.json.type, 'BadgeClass');
    assert.equal(badge.json.name, 'Closer');
    assert.match(badge.json.criteria.narrative, /Close tasks\.\n\n- Three tasks closed within 7 days/);
    assert.ok(badge.json.image.startsWith(h.base));
    const image = await h.request('GET', badge.json.image.slice(h.base.length));
    assert.equal(image.headers.get('content-type'), 'image/png');
    const issuer = await h.request('GET', badge.json.issuer.slice(h.base.length));
    assert.equal(issuer.status, 200);
    assert.deepEqual({ type: issuer.json.type, name: issuer.json.name, url: issuer.json.url }, { type: 'Issuer', name: SERVICE, url: h.base });
    for (const url of [badge.json.id, badge.json.issuer, issuer.json.id]) assert.ok(url.startsWith(`${h.base}/`), url);
  });

  test('baked badges carry the assertion: PNG iTXt and SVG, as the baking specification says', async () => {
    const assertion = (await h.request('GET', path(`/assertions/${award}`))).json;
    const png = Buffer.from(await (await fetch(`${h.base}${path(`/assertions/${award}/badge.png`)}`)).arrayBuffer());
    assert.deepEqual(JSON.parse(unbakePng(png)!), assertion);
    const svg = await h.request('GET', path(`/assertions/${award}/badge.svg`));
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    const baked = unbakeSvg(svg.text)!;
    assert.equal(baked.verify, assertion.id);
    assert.deepEqual(JSON.parse(baked.json), assertion);
  });

  test('the 3.0 credential: the required shape, verified by an independent verifier from what the server publishes; any change fails', async () => {
    const res = await h.request('GET', path(`/v3/credentials/${award}`));
    assert.equal(res.status, 200, res.text);
    const credential = res.json;
    assert.ok(Value.Check(AchievementCredentialShape, credential), JSON.stringify([...Value.Errors(AchievementCredentialShape, credential)].slice(0, 3)));
    assert.deepEqual(credential['@context'], ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    assert.equal(credential.validFrom, '2026-03-04T05:06:07Z');
    assert.equal(credential.credentialSubject.achievement.name, 'Closer');
    assert.equal(credential.credentialStatus.type, 'BitstringStatusListEntry');
    assert.equal(credential.proof.cryptosuite, 'eddsa-rdfc-2022');

    const result = await checkSignature(h, credential);
    assert.equal(result.verified, true, JSON.stringify(result.error ?? result.results));
    const changes: ((c: any) => void)[] = [
      (c) => (c.credentialSubject.achievement.name = 'Closer!'),
      (c) => (c.validFrom = '2026-03-04T05:06:08Z'),
      (c) => (c.credentialSubject.identifier[0].identityHash = 'sha256$00'),
      (c) => (c.issuer.name = 'someone else'),
      (c) => (c.credentialStatus.statusListIndex = '1'),
    ];
    for (const change of changes) {
      const tampered = structuredClone(credential);
      change(tampered);
      assert.equal((await checkSignature(h, tampered)).verified, false, change.toString());
    }
    assert.equal((await h.request('GET', path(`/v3/credentials/${award}`))).text, res.text, 'the same bytes every time');
  });

  test('the VC-JWT: jose verifies it with the JWK its kid names, published by the issuer', async () => {
    const res = await h.request('GET', path(`/v3/credentials/${award}/jwt`));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/jwt');
    const header = decodeProtectedHeader(res.text);
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
    assert.equal(header.alg, 'EdDSA');
    const jwk = await (await fetch(header.kid!)).json();
    assert.equal(jwk.d, undefined);
    const profile = (await h.request('GET', path('/v3/issuers/default'))).json;
    assert.ok(profile.verificationMethod.some((method: { id: string }) => method.id === header.kid), 'the kid is in the profile');
    const credential = (await h.request('GET', path(`/v3/credentials/${award}`))).json;
    const { payload } = await jwtVerify(res.text, await importJWK(jwk, 'EdDSA'), { issuer: credential.issuer.id, subject: credential.credentialSubject.id });
    assert.equal(payload.jti, credential.id);
    assert.equal(payload.nbf, Date.parse(credential.validFrom) / 1000);
  });

  test('a revocation: 410 Gone for the assertion, and the signed status list says revoked', async () => {
    const other = await awardOnce(h.domain, SERVICE, 'daniel', 'closer');
    const before = (await h.request('GET', path(`/v3/credentials/${other}`))).json;
    let check = await verifyCredential(before, remoteLoader(h));
    assert.equal(check.verified, true, JSON.stringify(check.checks));

    await revokeOnce(h.domain, SERVICE, 'daniel', other, 'Awarded by mistake');
    const gone = await h.request('GET', path(`/assertions/${other}`));
    assert.equal(gone.status, 410);
    assert.equal(gone.json.revoked, true);
    assert.equal(gone.json.revocationReason, 'Awarded by mistake');

    const list = (await h.request('GET', before.credentialStatus.statusListCredential.slice(h.base.length))).json;
    assert.equal(isSet(list.credentialSubject.encodedList, Number(before.credentialStatus.statusListIndex)), true);
    assert.equal((await checkSignature(h, list)).verified, true, 'the list is signed by the issuer');
    check = await verifyCredential(before, remoteLoader(h));
    assert.deepEqual([check.verified, check.revoked], [false, true]);
    // The first award is unaffected.
    const first = (await h.request('GET', path(`/v3/credentials/${award}`))).json;
    assert.equal((await verifyCredential(first, remoteLoader(h))).verified, true);
  });

  test('the award page: badge, criteria, issuer, when and to whom, verified, Add to LinkedIn; no script', async () => {
    const res = await h.request('GET', path(`/awards/${award}`));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
    assert.ok(!/<script/i.test(res.text));
    const shown = res.text.replace(/<[^>]+>/g, '');
    for (const text of ['Closer', 'Closed 3 tasks in a week', 'RequiredThree tasks closed within 7 days', 'Awarded to daniel on March 4, 2026', '✓ Verified', 'Signature: The eddsa-rdfc-2022 proof verifies', 'Revocation: Not revoked', 'Three in a row']) assert.ok(shown.includes(text), text);
    const linkedIn = /href="(https:\/\/www\.linkedin\.com\/profile\/add\?[^"]+)"/.exec(res.text)![1]!.replace(/&amp;/g, '&');
    const query = new URL(linkedIn).searchParams;
    assert.deepEqual(Object.fromEntries(query), { startTask: 'CERTIFICATION_NAME', name: 'Closer', organizationName: SERVICE, issueYear: '2026', issueMonth: '3', certUrl: `${h.base}${path(`/awards/${award}`)}`, certId: award });

    const verification = await h.request('GET', path(`/awards/${award}/verification.json`));
    assert.equal(verification.json.verified, true);
    assert.deepEqual(verification.json.openBadges.credential, `${h.base}${path(`/v3/credentials/${award}`)}`);
  });

  test('key rotation: new credentials use the new key, and what the old key signed still verifies', async () => {
    const old = (await h.request('GET', path(`/v3/credentials/${award}`))).json;
    const oldJwt = (await h.request('GET', path(`/v3/credentials/${award}/jwt`))).text;
    assert.equal((await h.request('POST', path('/issuers/default/keys/rotate.json'))).status, 401);
    const rotated = await h.request('POST', path('/issuers/default/keys/rotate.json'), { headers: { authorization: h.key } });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(rotated.json.retired.length, 1);
    const fresh = (await h.request('GET', path(`/v3/credentials/${award}`))).json;
    assert.notEqual(fresh.proof.verificationMethod, old.proof.verificationMethod);
    assert.ok(fresh.proof.verificationMethod.endsWith(`#${rotated.json.key}`));
    for (const credential of [old, fresh]) assert.equal((await checkSignature(h, credential)).verified, true);
    const kid = decodeProtectedHeader(oldJwt).kid!;
    const { payload } = await jwtVerify(oldJwt, await importJWK(await (await fetch(kid)).json(), 'EdDSA'));
    assert.equal(payload.jti, old.id);
  });

  test("each award in the user's read links its Open Badges, the award made by the real rule over HTTP", async () => {
    const put = await h.request('PUT', `/v1/${SERVICE}/users/frank.json`, { headers: { authorization: h.key }, body: { badges: ['closer'] } });
    assert.equal(put.status, 200, put.text);
    const read = (await h.request('GET', `/v1/${SERVICE}/users/frank.json`)).json;
    const closer = read.badges.find((b: { name: string }) => b.name === 'closer');
    assert.equal(closer.awards.length, 1);
    const [id] = closer.awards;
    assert.deepEqual(closer.openBadges, [
      { award: id, assertion: `${h.base}${path(`/assertions/${id}`)}`, credential: `${h.base}${path(`/v3/credentials/${id}`)}`, jwt: `${h.base}${path(`/v3/credentials/${id}/jwt`)}`, page: `${h.base}${path(`/awards/${id}`)}` },
    ]);
    for (const url of [closer.openBadges[0].assertion, closer.openBadges[0].credential, closer.openBadges[0].jwt, closer.openBadges[0].page]) assert.equal((await fetch(url)).status, 200, url);
    // A revocation by id through the API: 410 from then on.
    const revoked = await h.request('DELETE', `/v1/${SERVICE}/users/frank/awards/${id}.json`, { headers: { authorization: h.key }, body: { reason: 'Wrong person' } });
    assert.equal(revoked.status, 200, revoked.text);
    const gone = await h.request('GET', path(`/assertions/${id}`));
    assert.deepEqual([gone.status, gone.json.revocationReason], [410, 'Wrong person']);
    const credential = (await h.request('GET', path(`/v3/credentials/${id}`))).json;
    assert.deepEqual([(await verifyCredential(credential, remoteLoader(h))).revoked], [true]);
    const page = (await h.request('GET', path(`/awards/${id}`))).text;
    assert.ok(page.replace(/<[^>]+>/g, '').includes('✗ Revoked'));
    assert.match(page, /Revoked on [A-Z][a-z]+ \d+, \d{4}: Wrong person/);
    assert.ok(!page.includes('linkedin.com') && !page.includes(`/assertions/${id}`), 'no LinkedIn, no hosted assertion (410) offered');
  });

  test("a badge of an issuer of the service's: that issuer's profile, key and name everywhere", async () => {
    const issuer = await h.request('PUT', `/v1/${SERVICE}/issuers/chipublib.json`, { headers: { authorization: h.key }, body: { name: 'Chicago Public Library', url: 'https://chipublib.example.org', email: 'badges@chipublib.example.org' } });
    assert.ok([200, 201].includes(issuer.status), issuer.text);
    const badge = await h.request('PUT', `/v1/${SERVICE}/badges.json`, { headers: { authorization: h.key }, body: { badges: [{ name: 'reader', title: 'Reader', issuer: 'chipublib' }] } });
    assert.equal(badge.status, 200, badge.text);
    const id = await awardOnce(h.domain, SERVICE, 'daniel', 'reader');
    const badgeClass = (await h.request('GET', path('/badges/reader'))).json;
    assert.equal(badgeClass.issuer, `${h.base}${path('/issuers/chipublib')}`);
    const ob2 = (await h.request('GET', path('/issuers/chipublib'))).json;
    assert.deepEqual([ob2.name, ob2.url, ob2.email], ['Chicago Public Library', 'https://chipublib.example.org', 'badges@chipublib.example.org']);
    const credential = (await h.request('GET', path(`/v3/credentials/${id}`))).json;
    assert.equal(credential.issuer.id, `${h.base}${path('/v3/issuers/chipublib')}`);
    assert.equal(credential.issuer.name, 'Chicago Public Library');
    assert.ok(credential.proof.verificationMethod.startsWith(credential.issuer.id + '#'), 'signed with the issuer\'s own key');
    assert.equal((await checkSignature(h, credential)).verified, true);
    const page = await h.request('GET', path(`/awards/${id}`));
    assert.ok(page.text.includes('Chicago Public Library'));
  });

  test("the README's third-party check (scripts/verify-open-badge.mjs): valid, then revoked", async () => {
    const id = await awardOnce(h.domain, SERVICE, 'grace', 'closer');
    const check = () => promisify(execFile)(process.execPath, ['scripts/verify-open-badge.mjs', `${h.base}${path(`/v3/credentials/${id}`)}`], { timeout: 120_000 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    const valid = await check();
    assert.equal(valid.code, 0, valid.stdout);
    assert.match(valid.stdout, /Data Integrity proof \(eddsa-rdfc-2022\) and status: valid\nVC-JWT signature \(EdDSA, key [^)]+\): valid/);
    await revokeOnce(h.domain, SERVICE, 'grace', id, 'Test');
    const revoked = await check();
    assert.equal(revoked.code, 1, revoked.stdout);
    assert.match(revoked.stdout, /and status: NOT valid \(revoked\)/);
  });

  test('unknown awards are 404, malformed ones 400; the test service has no Open Badges', async () => {
    assert.equal((await h.request('GET', path('/assertions/aw_aaaaaaaaaaaaaaaaaaaa'))).json.error.code, 'award_not_found');
    assert.equal((await h.request('GET', path('/assertions/nope'))).status, 400);
    assert.equal((await h.request('GET', path('/v3/issuers/nobody'))).status, 404);
    assert.equal((await h.request('GET', '/v1/test/openbadges/v3/issuers/default')).status, 403);
  });

  test("erasing the person takes their awards' documents and credentials with them", async () => {
    const mine = await awardOnce(h.domain, SERVICE, 'erin', 'closer');
    assert.equal((await h.request('GET', path(`/v3/credentials/${mine}`))).status, 200);
    await h.domain.eraseUser(SERVICE, 'erin');
    for (const rest of [`/assertions/${mine}`, `/v3/credentials/${mine}`, `/v3/credentials/${mine}/jwt`, `/awards/${mine}`]) {
      assert.equal((await h.request('GET', path(rest))).status, 404, rest);
    }
  });
});

describe('Open Badges without ISSUER_KEY_SECRET in production', () => {
  test('hosted 2.0 assertions are served, signing is refused with the reason', async () => {
    const h = await start({ config: { openBadges: { production: true, keySecret: null } } });
    try {
      await h.request('PUT', `/v1/${SERVICE}/badges.json`, { headers: { authorization: h.key }, body: { badges: [{ name: 'closer' }] } });
      const award = await awardOnce(h.domain, SERVICE, 'daniel', 'closer');
      assert.equal((await h.request('GET', `/v1/${SERVICE}/openbadges/assertions/${award}`)).status, 200);
      const refused = await h.request('GET', `/v1/${SERVICE}/openbadges/v3/credentials/${award}`);
      assert.equal(refused.status, 503);
      assert.equal(refused.json.error.code, 'signing_unavailable');
      assert.equal(refused.headers.get('retry-after'), '3600');
      assert.match(refused.json.error.message, /ISSUER_KEY_SECRET/);
      const page = await h.request('GET', `/v1/${SERVICE}/openbadges/awards/${award}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /without ISSUER_KEY_SECRET/);
    } finally {
      await h.close();
    }
  });
});
