/**
 * The test vector of Open Badges 3.0's Implementation Guide, chapter "Linked Data Proof Test Vector
 * for Open Badges 3.0" (https://www.imsglobal.org/spec/ob/v3p0/impl/#ob-linked-data-proof; source:
 * 1EdTech's openbadges-specification, ob_v3p0/impl/linked-data-proof-ob.html and .md, and
 * ob_v3p0/impl/test-vectors/obv3p0/*.txt), transcribed value by value. Nothing here is computed.
 *
 * The chapter exists in two forms:
 * - VCDM 1.1 (the .md, and the .html before its move to VCDM 2.0): `issuanceDate`, the 2018
 *   credentials context and data-integrity/v1. Every value is published and consistent: the
 *   canonical forms hash to the published hashes, and the signature and proofValue follow.
 * - VCDM 2.0 (the .html now): `validFrom` and credentials/v2, with canonical forms included from
 *   test-vectors/obv3p0/. Its hash, signature and proofValue sections were left as they were in the
 *   1.1 form (SHA-256 of the 2.0 canonical proof is d34009ce..., not the 3cf3c265... shown), so only
 *   its canonical forms are a vector; the signature over them is checked by verifying it.
 * Both name the OB context as https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld, a
 * URL no package serves: the 1.1 form's canonical document is what the 3.0 context (context.json)
 * gives, the 2.0 form's what 3.0.3 gives (3.0.1 and 3.0.2 give other terms), so the tests serve
 * those for it.
 */

export const OB_CONTEXT_OF_THE_VECTOR = 'https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld';

export const KEY = {
  publicKeyHex: '4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5',
  /** Seed then public key, 64 bytes, as the chapter prints it. */
  privateKeyHex: '6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be44bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5',
  publicKeyMultibase: 'z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi',
  id: 'https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi',
  controller: 'https://example.edu/issuers/565049',
};

const body = {
  id: 'http://example.com/credentials/3527',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: 'https://example.edu/issuers/565049', type: ['Profile'], url: 'https://www.imsglobal.org', name: 'Example Corp' },
};
const subject = {
  name: 'Teamwork Badge',
  credentialSubject: {
    id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
    type: ['AchievementSubject'],
    achievement: {
      id: 'https://example.com/achievements/21st-century-skills/teamwork',
      type: ['Achievement'],
      criteria: { narrative: 'Team members are nominated for this badge by their peers and recognized upon review by Example Corp management.' },
      description: 'This badge recognizes the development of the capacity to collaborate within a group environment.',
      name: 'Teamwork',
    },
  },
};

export const PROOF_OPTIONS = {
  created: '2010-01-01T19:23:24Z',
  verificationMethod: 'https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi',
};

/** The VCDM 1.1 form: "Document with cryptosuite context", and every value that follows from it. */
export const V1 = {
  document: {
    '@context': ['https://www.w3.org/2018/credentials/v1', OB_CONTEXT_OF_THE_VECTOR, 'https://w3id.org/security/data-integrity/v1'],
    ...body,
    issuanceDate: '2010-01-01T00:00:00Z',
    ...subject,
  },
  proofCanonical: [
    '_:c14n0 <http://purl.org/dc/terms/created> "2010-01-01T19:23:24Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n',
    '_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .\n',
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022" .\n',
    '_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .\n',
    '_:c14n0 <https://w3id.org/security#verificationMethod> <https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi> .\n',
  ].join(''),
  documentCanonical: [
    '<did:example:ebfeb1f712ebc6f1c276e12ec21> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .\n',
    '<did:example:ebfeb1f712ebc6f1c276e12ec21> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> <https://example.com/achievements/21st-century-skills/teamwork> .\n',
    '<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .\n',
    '<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n',
    '<http://example.com/credentials/3527> <https://schema.org/name> "Teamwork Badge"^^<https://www.w3.org/2001/XMLSchema#string> .\n',
    '<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:ebfeb1f712ebc6f1c276e12ec21> .\n',
    '<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#issuanceDate> "2010-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n',
    '<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#issuer> <https://example.edu/issuers/565049> .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:c14n0 .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/description> "This badge recognizes the development of the capacity to collaborate within a group environment."^^<https://www.w3.org/2001/XMLSchema#string> .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/name> "Teamwork"^^<https://www.w3.org/2001/XMLSchema#string> .\n',
    '<https://example.edu/issuers/565049> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .\n',
    '<https://example.edu/issuers/565049> <https://schema.org/name> "Example Corp"^^<https://www.w3.org/2001/XMLSchema#string> .\n',
    '<https://example.edu/issuers/565049> <https://schema.org/url> "https://www.imsglobal.org"^^<https://www.w3.org/2001/XMLSchema#anyURI> .\n',
    '_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "Team members are nominated for this badge by their peers and recognized upon review by Example Corp management."^^<https://www.w3.org/2001/XMLSchema#string> .\n',
  ].join(''),
  documentHashHex: 'd994aebd5e53f4af4495dbe9e1155410bae683811107c26acf83671075c163b3',
  proofHashHex: '3cf3c265b6c8ebb29b4d5ea310b87d2f31c79b633eff8af561d2e8c97a85c8cb',
  dataToSignHex: '3cf3c265b6c8ebb29b4d5ea310b87d2f31c79b633eff8af561d2e8c97a85c8cbd994aebd5e53f4af4495dbe9e1155410bae683811107c26acf83671075c163b3',
  signatureHex: '17a898a91832fa58bd66433e18dc8256522bcf84382994c395c23c26cba71ff8060a2587390e5ed20c4decec45c0c0c9eec1f7d2d1ce91e1ffc992983a74a300',
  proof: {
    type: 'DataIntegrityProof',
    created: '2010-01-01T19:23:24Z',
    verificationMethod: 'https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi',
    cryptosuite: 'eddsa-rdfc-2022',
    proofPurpose: 'assertionMethod',
    proofValue: 'zUSD5bjo6mYV1n9i9E6ZwUiHuj4JyZDjCDfDqoJcPi9XJrc9LYstik9mdBvutdwBdquWXjWrwJDVGJrAarvRs8uD',
  },
};

/**
 * The VCDM 2.0 form's credential and canonical forms. Its "Document with cryptosuite context" adds
 * data-integrity/v1 after credentials/v2, which redefines protected terms of the latter (JSON-LD
 * processors refuse it); the published canonical forms are those of the credential with
 * credentials/v2 alone defining the proof's terms (the `cryptosuiteString` type comes from it).
 */
export const V2 = {
  document: {
    '@context': ['https://www.w3.org/ns/credentials/v2', OB_CONTEXT_OF_THE_VECTOR],
    ...body,
    validFrom: '2010-01-01T00:00:00Z',
    ...subject,
  },
  proofCanonical: [
    '_:c14n0 <http://purl.org/dc/terms/created> "2010-01-01T19:23:24Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n',
    '_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .\n',
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString> .\n',
    '_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .\n',
    '_:c14n0 <https://w3id.org/security#verificationMethod> <https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi> .\n',
  ].join(''),
  documentCanonical: [
    '<did:example:ebfeb1f712ebc6f1c276e12ec21> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .\n',
    '<did:example:ebfeb1f712ebc6f1c276e12ec21> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement> <https://example.com/achievements/21st-century-skills/teamwork> .\n',
    '<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .\n',
    '<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n',
    '<http://example.com/credentials/3527> <https://schema.org/name> "Teamwork Badge" .\n',
    '<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:ebfeb1f712ebc6f1c276e12ec21> .\n',
    '<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#issuer> <https://example.edu/issuers/565049> .\n',
    '<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#validFrom> "2010-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:c14n0 .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/description> "This badge recognizes the development of the capacity to collaborate within a group environment." .\n',
    '<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/name> "Teamwork" .\n',
    '<https://example.edu/issuers/565049> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .\n',
    '<https://example.edu/issuers/565049> <https://schema.org/name> "Example Corp" .\n',
    '<https://example.edu/issuers/565049> <https://schema.org/url> "https://www.imsglobal.org"^^<https://www.w3.org/2001/XMLSchema#anyURI> .\n',
    '_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "Team members are nominated for this badge by their peers and recognized upon review by Example Corp management." .\n',
  ].join(''),
};
