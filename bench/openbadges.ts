/**
 * Figures of issue 22 (`npm run bench -- openbadges`, or `--only ob`):
 * - Open Badges 3.0 credentials signed per second, with an embedded Data Integrity proof
 *   (eddsa-rdfc-2022: two RDFC-1.0 canonicalisations and an Ed25519 signature) and as a VC-JWT;
 *   verified per second, by Digital Bazaar's verifier and by jose. One core, in this process, the
 *   credential the server issues (server/openbadges/), the server's bundled contexts.
 * - The p99 of a hosted 2.0 assertion URL, the built server on the embedded store holding 100,000
 *   award instances, random awards, as `npm run bench`'s other reads are measured.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { composeDomain } from '../server/app/domain.js';
import { awardChecked } from '../server/core/rules/awards.js';
import { openStore } from '../server/app/open-store.js';
import * as ob from '../server/openbadges/index.js';
import * as signing from '../server/openbadges/signing.js';
import { readSpec } from './lib/api.js';
import type { Group } from './lib/group.js';
import { fmt, type Figure } from './lib/report.js';

const ORIGIN = 'https://badges.example';
const ISSUER = `${ORIGIN}/v1/bench/openbadges/v3/issuers/default`;

/** Runs `work` for `seconds` (at least `min` times): operations per second. */
async function rate(seconds: number, min: number, work: (i: number) => Promise<unknown>): Promise<{ perSecond: number; count: number }> {
  const started = performance.now();
  let count = 0;
  while (count < min || performance.now() - started < seconds * 1000) await work(count++);
  return { perSecond: count / ((performance.now() - started) / 1000), count };
}

export async function signingFigures(seconds: number) {
  const kek = ob.keyEncryptionKey('a benchmark secret of at least thirty-two characters');
  const key = ob.generateIssuerKey('bench/default', kek, '2026-01-01T00:00:00Z', 'key-1');
  const { privateKey } = ob.openIssuerKey('bench/default', key, kek);
  const profile = ob.buildProfile({ id: ISSUER, name: 'Bench' }, [key]);
  const loader = signing.documentLoader((url) => (url.startsWith(ISSUER) ? ob.profileDocumentAt(profile, url) : undefined));
  const credential = (i: number) =>
    ob.buildCredential({
      id: `${ORIGIN}/v1/bench/openbadges/v3/credentials/aw_${String(i).padStart(20, 'a')}`,
      issuer: { id: ISSUER, name: 'Bench', url: ORIGIN },
      achievement: { id: `${ORIGIN}/v1/bench/openbadges/v3/achievements/closer`, name: 'Closer', description: 'Closed 3 tasks in a week', criteria: { narrative: 'Close three tasks within 7 days.' }, tags: ['tasks'] },
      validFrom: '2026-01-15T10:00:00Z',
      email: `user${i}@example.com`,
      salt: `aw_${i}`,
      status: ob.statusEntry(`${ORIGIN}/v1/bench/openbadges/v3/status/default/0`, i % ob.LIST_SIZE),
    });
  const options = { verificationMethod: ob.verificationMethodId(ISSUER, key.id), created: '2026-01-15T10:00:00Z' };
  const kid = ob.jwkUrl(ISSUER, key.id);
  // Warm up the context cache and the JIT alike for each.
  for (let i = 0; i < 20; i++) await signing.signDataIntegrity(credential(i), privateKey, options, loader);
  const di = await rate(seconds, 50, (i) => signing.signDataIntegrity(credential(i), privateKey, options, loader));
  const jwt = await rate(seconds, 200, (i) => ob.signJwt(credential(i), privateKey, kid));
  const signed = await Promise.all(Array.from({ length: 50 }, (_, i) => signing.signDataIntegrity(credential(i), privateKey, options, loader)));
  const tokens = await Promise.all(signed.map((c) => ob.signJwt(c, privateKey, kid)));
  for (const c of signed.slice(0, 5)) if (!(await signing.verifyProof(c, loader)).ok) throw new Error('a benchmark credential does not verify');
  const diVerified = await rate(seconds, 20, (i) => signing.verifyProof(signed[i % signed.length]!, loader));
  const jwk = await importJWK(ob.profileDocumentAt(profile, decodeProtectedHeader(tokens[0]!).kid!) as JsonWebKey, 'EdDSA');
  const jwtVerified = await rate(seconds, 200, (i) => jwtVerify(tokens[i % tokens.length]!, jwk));
  return { di, jwt, diVerified, jwtVerified };
}

/** A store file with `count` awards of one badge among 10,000 users (each one an instance). */
async function awardsData(file: string, count: number): Promise<string[]> {
  const store = await openStore({ file });
  const domain = composeDomain(store);
  await domain.createService('bench', 'bench-key-0123456789');
  await domain.putBadges('bench', [{ name: 'closer', fields: { title: 'Closer', type: 'gold' } }]);
  const ids: string[] = [];
  // Awarded by the award rule, 2,000 to a unit: instances, user records and counts as the API makes them.
  for (let done = 0; done < count; done += 2000) {
    await domain.run('bench', async (tx) => {
      for (let i = done; i < Math.min(count, done + 2000); i++) {
        const { awards } = await awardChecked(tx, 'bench', `user${i % 10_000}`, ['closer']);
        ids.push(...awards.map((award) => award.id));
      }
    });
  }
  await store.close();
  return ids;
}

export const openBadgesGroup: Group = {
  name: 'openbadges',
  summary: 'Open Badges: credentials signed and verified per second (Data Integrity, VC-JWT); assertion URL p99 at 100,000 awards (ob)',
  figures: ['ob'],
  async run(bench) {
    if (!bench.wants('ob')) return;
    const seconds = bench.options.quick ? 1 : 5;
    bench.log('Open Badges: signing and verifying in-process, one core');
    const s = await signingFigures(seconds);
    const figures: Figure[] = [
      { id: 'OB1', figure: 'Open Badges 3.0 credentials signed/s, one core: Data Integrity (eddsa-rdfc-2022)', measured: `${fmt(s.di.perSecond)} /s (${s.di.count} in ${seconds} s)`, target: 'reported', pass: null },
      { id: 'OB1', figure: 'Open Badges 3.0 credentials signed/s, one core: VC-JWT (EdDSA, jose)', measured: `${fmt(s.jwt.perSecond)} /s`, target: 'reported', pass: null },
      { id: 'OB2', figure: "Verified/s, one core: Data Integrity (Digital Bazaar's verifier, bundled contexts)", measured: `${fmt(s.diVerified.perSecond)} /s`, target: 'reported', pass: null },
      { id: 'OB2', figure: 'Verified/s, one core: VC-JWT (jose)', measured: `${fmt(s.jwtVerified.perSecond)} /s`, target: 'reported', pass: null },
    ];
    const raw: Record<string, unknown> = { signing: s };
    if (bench.options.lowdb) {
      const count = bench.options.quick ? 10_000 : 100_000;
      const dir = join(bench.runDir, 'openbadges');
      await mkdir(dir, { recursive: true });
      const started = performance.now();
      const ids = await awardsData(join(dir, 'db.json'), count);
      bench.log(`Open Badges: ${fmt(count)} awards (each an instance) written by the award rule in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const server = await bench.startServer({ file: join(dir, 'db.json') });
      try {
        const paths = Array.from({ length: 256 }, (_, i) => `/v1/bench/openbadges/assertions/${ids[Math.floor(((i * 2654435761) % 2 ** 32) / 2 ** 32 * ids.length)]}`);
        const check = await fetch(server.url + paths[0]);
        if (check.status !== 200) throw new Error(`assertion read: ${check.status} ${await check.text()}`);
        const loader = bench.loader();
        // The p99 with 10 clients, as figure 3 reads (a latency figure); the rate with 50 (a throughput one).
        const runs: [string, number][] = [['p99', bench.options.readConnections], ['rate', bench.options.connections]];
        for (const [what, connections] of runs) {
          if (bench.options.warmup > 0) await loader.run({ ...readSpec(server.url, paths, 'assertions (warm-up)', connections), duration: bench.options.warmup });
          const result = await loader.run({ ...readSpec(server.url, paths, `assertions, ${count} awards, ${connections} clients`, connections), duration: bench.options.duration });
          raw[`assertions-${what}`] = result;
          figures.push({
            id: 'OB3',
            figure: `GET an award's hosted assertion (Open Badges 2.0), lowdb, ${fmt(count)} awards, ${connections} clients`,
            measured: `p99 ${result.latency.p99} ms (p50 ${result.latency.p50} ms); ${fmt(result.okRate)} req/s; non-2xx ${result.non2xx}`,
            target: what === 'p99' ? 'p99 <= 50 ms' : 'reported',
            pass: what === 'p99' ? result.latency.p99 <= 50 && result.non2xx === 0 : null,
          });
        }
      } finally {
        await server.stop();
      }
    }
    return { figures, raw };
  },
};
