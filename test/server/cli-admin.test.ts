import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../../server/stores/index.js';
import { cli, serve } from '../support/serve.js';
import { tempDir } from './harness.js';

const run = (args: string[], env: Record<string, string> = {}) => cli(args, { ADMIN_TOKEN: '', ...env });

/** `user-badges serve` in a child process, until it has printed everything it prints at start. */
async function start(data: string, env: Record<string, string> = {}) {
  const served = await serve(['--data', data, '--no-seed'], { env: { ADMIN_TOKEN: '', ...env }, until: /Admin API/ });
  return { ...served, url: served.base, output: served.output() + served.stderr(), stop: async () => void (await served.stop()) };
}

describe('user-badges service while the server runs (issue 7.10)', () => {
  test('serve makes an admin token once (mode 0600, printed once, kept across restarts); service commands go through the server', async (t) => {
    const data = join(await tempDir(t), 'db.json');
    const first = await start(data);
    const token = /with the token (\S+)/.exec(first.output)?.[1];
    try {
      assert.ok(token, first.output);
      const file = join(data.replace(/\.json$/, '.d'), 'admin-token');
      assert.equal((await stat(file)).mode & 0o777, 0o600);

      // While the server owns the data, the CLI finds it and uses its admin API.
      const created = await run(['service', 'create', 'topchefs', '--data', data]);
      assert.equal(created.code, 0, created.stderr);
      const { name, key } = JSON.parse(created.stdout);
      assert.equal(name, 'topchefs');
      const put = await fetch(`${first.url}/v1/topchefs/badges.json`, { method: 'PUT', headers: { authorization: key, 'content-type': 'application/json' }, body: '{"badges":[{"name":"chef"}]}' });
      assert.equal(put.status, 200, 'the running server knows the new service at once');

      const listed = await run(['service', 'list', '--data', data]);
      assert.deepEqual(listed.stdout.trim().split('\n').map((line) => JSON.parse(line)).map((s) => [s.name, s.legacySignatures]), [['topchefs', true]]);
      assert.equal(listed.stdout.includes(key), false);
      const off = await run(['service', 'set', 'topchefs', '--legacy-signatures', 'off', '--data', data]);
      assert.equal(JSON.parse(off.stdout).legacySignatures, false, off.stderr);
      const rotated = JSON.parse((await run(['service', 'rotate-key', 'topchefs', '--data', data])).stdout);
      assert.notEqual(rotated.key, key);
      const duplicate = await run(['service', 'create', 'topchefs', '--data', data]);
      assert.deepEqual([duplicate.code, /already exists/.test(duplicate.stderr)], [1, true]);

      // Elsewhere (no data folder to read the token from): --server and ADMIN_TOKEN.
      const elsewhere = join(await tempDir(t), 'db.json');
      const refused = await run(['service', 'list', '--server', first.url, '--data', elsewhere]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /ADMIN_TOKEN/);
      const remote = await run(['service', 'delete', 'topchefs', '--server', first.url, '--data', elsewhere], { ADMIN_TOKEN: token! });
      assert.deepEqual([remote.code, JSON.parse(remote.stdout)], [0, { name: 'topchefs', deleted: true }]);
      const wrong = await run(['service', 'list', '--server', first.url], { ADMIN_TOKEN: 'not-the-admin-token' });
      assert.equal(wrong.code, 1);
    } finally {
      await first.stop();
    }

    const second = await start(data);
    try {
      assert.equal(second.output.includes(token!), false, 'the token is printed only when made');
      assert.match(second.output, /token in .*admin-token/);
      const listed = await run(['service', 'list', '--server', second.url], { ADMIN_TOKEN: token! });
      assert.equal(listed.code, 0, `the same token after a restart: ${listed.stderr}`);
    } finally {
      await second.stop();
    }

    // Stopped: the CLI changes the data file itself again.
    const offline = await run(['service', 'create', 'later', '--data', data]);
    assert.equal(offline.code, 0, offline.stderr);
    const store = await openStore({ file: data });
    assert.deepEqual((await store.listServices()).map((s) => s.name), ['later']);
    await store.close();
  });

  test('ADMIN_TOKEN given to serve is used and not written anywhere', async (t) => {
    const data = join(await tempDir(t), 'db.json');
    const token = 'an-operator-token-from-the-environment';
    const server = await start(data, { ADMIN_TOKEN: token });
    try {
      assert.match(server.output, /token from ADMIN_TOKEN/);
      assert.equal(server.output.includes(token), false);
      await assert.rejects(stat(join(data.replace(/\.json$/, '.d'), 'admin-token')));
      const created = await run(['service', 'create', 'envsvc', '--data', data], { ADMIN_TOKEN: token });
      assert.equal(created.code, 0, created.stderr);
      const noToken = await run(['service', 'create', 'other', '--data', data]);
      assert.equal(noToken.code, 1);
      assert.match(noToken.stderr, /ADMIN_TOKEN/);
    } finally {
      await server.stop();
    }
  });
});
