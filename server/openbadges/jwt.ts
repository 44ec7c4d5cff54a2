import type { KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { PublicJwk } from './keys.js';
import type { OpenBadgeCredential } from './ob3.js';

/**
 * The VC-JWT form of a credential, as Open Badges 3.0 section 8.2 ("JSON Web Token Proof Format")
 * has it for VCDM 2.0: the payload is the credential itself plus the registered claims `iss`
 * (issuer.id), `jti` (id), `nbf` (validFrom), `sub` (credentialSubject.id) and `exp` (validUntil, if
 * any); the header is `alg`, `kid` (a URL that dereferences to the public JWK) and `typ: "JWT"`, and
 * nothing else. Signed and checked by jose, the JOSE library most Node projects use.
 */

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export async function signJwt(credential: OpenBadgeCredential, privateKey: KeyObject, kid: string): Promise<string> {
  // An embedded proof, if any, was made first and travels inside (section 8.2.3): the JWT covers it too.
  const jwt = new SignJWT({ ...credential })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setIssuer(credential.issuer.id)
    .setJti(credential.id)
    .setNotBefore(seconds(credential.validFrom))
    .setSubject(credential.credentialSubject.id);
  if (credential.validUntil) jwt.setExpirationTime(seconds(credential.validUntil));
  return jwt.sign(privateKey);
}

export interface JwtCheck {
  verified: boolean;
  /** The credential the JWT carries (also when it does not verify, if it could be read). */
  credential?: OpenBadgeCredential;
  kid?: string;
  error?: string;
}

/**
 * Checks a VC-JWT as section 8.2.4 asks: the signature with the key its `kid` names (`resolveKey`
 * dereferences it; for this server's credentials, from the issuer's published profile), then each
 * registered claim against the credential it carries.
 */
export async function verifyJwt(jwt: string, resolveKey: (kid: string) => Promise<PublicJwk | undefined>, now = new Date()): Promise<JwtCheck> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(jwt);
    kid = header.kid;
    if (typeof kid !== 'string') return { verified: false, error: 'The JWT header has no kid' };
    if (header.alg !== 'EdDSA') return { verified: false, kid, error: `Unsupported alg ${String(header.alg)}` };
    const jwk = await resolveKey(kid);
    if (!jwk) return { verified: false, kid, error: `The key ${kid} is not published by its issuer` };
    const { payload } = await jwtVerify(jwt, await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA'), { currentDate: now, algorithms: ['EdDSA'] });
    const credential = payload as unknown as OpenBadgeCredential;
    const mismatch =
      payload.iss !== credential.issuer?.id ? 'iss is not issuer.id'
      : payload.jti !== credential.id ? 'jti is not the credential id'
      : payload.sub !== credential.credentialSubject?.id ? 'sub is not credentialSubject.id'
      : payload.nbf !== seconds(credential.validFrom) ? 'nbf is not validFrom'
      : credential.validUntil !== undefined && payload.exp !== seconds(credential.validUntil) ? 'exp is not validUntil'
      : undefined;
    if (mismatch) return { verified: false, kid, credential, error: mismatch };
    return { verified: true, kid, credential };
  } catch (error) {
    return { verified: false, kid, error: error instanceof Error ? error.message : String(error) };
  }
}
