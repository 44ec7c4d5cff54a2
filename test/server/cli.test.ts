import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { settingsFromEnv } from '../../server/config.js';
import { openStore } from '../../server/stores/index.js';
import { serve } from '../support/serve.js';
import { tempDir } from './harness.js';

const CLI = new URL('../../server/cli.ts', import.meta.url).pathname;
const run = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('the user-badges command', () => {
  test('service create, list and rotate-key', async (t) => {
    const data = join(await tempDir(t), 'db.json');
    const created = await run('service', 'create', 'topchefs', '--data', data);
    assert.equal(created.code, 0, created.stderr);
    const { name, key } = JSON.parse(created.stdout);
    assert.equal(name, 'topchefs');
    assert.match(key, /^[0-9a-f]{64}$/);

    const listed = await run('service', 'list', '--data', data);
    assert.deepEqual(listed.stdout.trim().split('\n').map((line) => JSON.parse(line).name), ['topchefs']);
    assert.equal(listed.stdout.includes(key), false, 'list never prints keys');

    const rotated = JSON.parse((await run('service', 'rotate-key', 'topchefs', '--data', data)).stdout);
    assert.notEqual(rotated.key, key);
    const store = await openStore({ file: data });
    assert.equal((await store.getService('topchefs'))!.key, rotated.key);
    await store.close();
  });

  test('errors are messages on stderr with a non-zero exit', async (t) => {
    const data = join(await tempDir(t), 'db.json');
    await run('service', 'create', 'dup', '--data', data);
    const duplicate = await run('service', 'create', 'dup', '--data', data);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /already exists/);
    const missing = await run('service', 'rotate-key', 'ghost', '--data', data);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
    const badName = await run('service', 'create', '../evil', '--data', data);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /service name/);
    const unknown = await run('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Usage: user-badges/);
    const badPort = await run('serve', '--port', 'eighty');
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /PORT must be/);
    const badFlag = await run('serve', '--body-timeout-ms', '10s');
    assert.equal(badFlag.code, 1);
    assert.match(badFlag.stderr, /BODY_TIMEOUT_MS must be a whole number from 1 to/);
  });

  test('the limits on clients, shutdown and storage retries are checked like every setting', () => {
    const settings = settingsFromEnv({ MAX_CONNECTIONS: '100', SHUTDOWN_GRACE_MS: '0' });
    assert.equal(settings.maxConnections, 100);
    assert.equal(settings.shutdownGraceMs, 0);
    assert.equal(settings.bodyTimeoutMs, 10_000);
    for (const [name, value] of [['MAX_CONNECTIONS', '0'], ['HEADERS_TIMEOUT_MS', '-5'], ['BODY_BUDGET_BYTES', '1e6'], ['STORAGE_RETRY_MS', ''], ['SHUTDOWN_GRACE_MS', '99999999999']]) {
      assert.throws(() => settingsFromEnv({ [name!]: value }), new RegExp(`${name} must be`));
    }
  });

  test('a first start on a taken port makes no key; a key can be shown again, with and without a server (issue 12.2)', async (t) => {
    const data = join(await tempDir(t), 'db.json');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as { port: number }).port);
    try {
      const failed = await run('serve', '--port', port, '--host', '127.0.0.1', '--data', data);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, new RegExp(`port ${port} on 127.0.0.1 is taken`));
    } finally {
      taken.close();
    }
    const store = await openStore({ file: data });
    assert.deepEqual(await store.listServices(), [], 'nothing seeded by a start that failed');
    await store.close();

    const served = await serve(['--data', data], { ADMIN_TOKEN: '' });
    try {
      // The seed follows the "listening" line that serve() waits for.
      for (let i = 0; i < 200 && !/Admin API/.test(served.output()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      const key = /Seeded service "demo" with key ([0-9a-f]{64})/.exec(served.output())?.[1];
      assert.ok(key, served.output());
      const shown = await run('service', 'show-key', 'demo', '--data', data);
      assert.deepEqual([shown.code, JSON.parse(shown.stdout)], [0, { name: 'demo', key }], `through the running server's admin API: ${shown.stderr}`);
      const ghost = await run('service', 'show-key', 'ghost', '--data', data);
      assert.deepEqual([ghost.code, /does not exist/.test(ghost.stderr)], [1, true]);
      await served.stop();
      const offline = await run('service', 'show-key', 'demo', '--data', data);
      assert.deepEqual([offline.code, JSON.parse(offline.stdout)], [0, { name: 'demo', key }], `on the data file: ${offline.stderr}`);
    } finally {
      await served.stop();
    }
  });

  test('--help prints the usage', async () => {
    const help = await run('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /service create NAME/);
  });
});
