import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../../server/stores/index.js';
import { cli, serve } from '../support/serve.js';
import { tempDir } from './harness.js';

describe('going to production (issue 24.9)', () => {
  test('serve --production seeds no demo, closes the test service, makes new services refuse SHA1, and names each unsafe setting', async (t) => {
    const data = join(await tempDir(t), 'db.json');
    // Made before, outside production: it accepts the legacy signatures.
    assert.equal((await cli(['service', 'create', 'old', '--data', data])).code, 0);
    const server = await serve(['--data', data, '--production'], { env: { ADMIN_TOKEN: 'an-operator-token-0123456789', WEBHOOK_ALLOW_PRIVATE: 'on' }, until: /Admin API/ });
    t.after(() => server.stop());
    const output = server.output();
    assert.match(output, /listening on .*; production\)/);
    assert.doesNotMatch(output, /Seeded service/);
    assert.doesNotMatch(output, /"test" service takes writes without a key/);
    const warnings = output.split('\n').filter((line) => line.startsWith('Warning: '));
    assert.deepEqual(warnings, [
      'Warning: webhook endpoints may be on loopback and private addresses (WEBHOOK_ALLOW_PRIVATE=on): anyone with a service key can make the server call into your network',
      'Warning: Open Badges 3.0 credentials are not signed without ISSUER_KEY_SECRET, the secret that encrypts issuer keys at rest (hosted 2.0 assertions are served): set it (openssl rand -base64 32)',
      'Warning: Open Badges are published under whatever origin each request names (its Host header), and every credential issued keeps it for good: set PUBLIC_URL to the public origin (https://badges.example.com)',
      'Warning: service old accept the legacy SHA1 signatures: user-badges service set NAME --legacy-signatures off, once no client needs them',
    ]);

    const open = await fetch(`${server.base}/v1/test/badges.json`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"badges":[{"name":"b"}]}' });
    assert.deepEqual([open.status, (await open.json()).error.code], [404, 'service_not_found'], 'no open test service: an ordinary name, unknown here');
    const made = await fetch(`${server.base}/admin/services`, {
      method: 'POST',
      headers: { authorization: 'Bearer an-operator-token-0123456789', 'content-type': 'application/json' },
      body: '{"name":"shop"}',
    });
    assert.deepEqual([made.status, (await made.json()).legacySignatures], [201, false], 'a new service refuses the SHA1 form');
    const asked = await cli(['service', 'create', 'legacy', '--legacy-signatures', 'on', '--data', data], { ADMIN_TOKEN: 'an-operator-token-0123456789' });
    assert.equal(asked.code, 0, asked.stderr);
    const listed = await cli(['service', 'list', '--data', data], { ADMIN_TOKEN: 'an-operator-token-0123456789' });
    assert.deepEqual(
      listed.stdout.trim().split('\n').map((line) => JSON.parse(line)).map((s) => [s.name, s.legacySignatures]),
      [['old', true], ['shop', false], ['legacy', true]],
      'what was asked for is kept',
    );
  });

  test('NODE_ENV=production does the same, for serve and for the commands; an explicit setting still wins', async (t) => {
    const dir = await tempDir(t);
    const created = await cli(['service', 'create', 'shop', '--data', join(dir, 'a.json')], { NODE_ENV: 'production' });
    assert.equal(created.code, 0, created.stderr);
    const listed = await cli(['service', 'list', '--data', join(dir, 'a.json')]);
    assert.equal(JSON.parse(listed.stdout).legacySignatures, false);

    const data = join(dir, 'db.json');
    const server = await serve(['--data', data], { env: { NODE_ENV: 'production', TEST_SERVICE: 'on', ADMIN_TOKEN: undefined }, until: /Admin API/ });
    const output = server.output();
    await server.stop();
    assert.match(output, /; production\)/);
    assert.match(output, /^Warning: the "test" service takes writes without a key \(TEST_SERVICE=on\): turn it off/m);
    assert.match(output, /"test" service takes writes without a key \(TEST_SERVICE=off to refuse\)/, 'said is done');
    const store = await openStore({ file: data });
    const services = await store.listServices();
    await store.close();
    assert.deepEqual(services, [], 'no demo');
  });
});
