import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { settingsFromEnv } from '../../server/config/app.js';
import { openStore } from '../../server/stores/index.js';
import { cli, serve } from '../support/serve.js';
import { tempDir } from './harness.js';

const CLI = new URL('../../server/cli/main.ts', import.meta.url).pathname;
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
    assert.match(unknown.stderr, /unknown command "frobnicate"; the commands are serve, service/);
  });

  test('each mistake on the command line gets its own message, naming what was typed (issue 12.5)', async () => {
    const cases: [string[], Record<string, string>, number, RegExp][] = [
      [['service', 'create'], {}, 2, /^user-badges: service create needs the name of a service: user-badges service create NAME\n/],
      [['service', 'rotate-key'], {}, 2, /service rotate-key needs the name of a service/],
      [['service', 'show-key'], {}, 2, /service show-key needs the name of a service/],
      [['service'], {}, 2, /service needs a command: list, create, rotate-key, show-key, set, delete/],
      [['service', 'frob'], {}, 2, /unknown service command "frob"/],
      [['service', 'list', 'extra'], {}, 2, /service list takes no name, but got "extra"/],
      [['service', 'delete', 'a', 'b'], {}, 2, /service delete takes one name, but got "a" and "b"/],
      [['import'], {}, 2, /import needs the FILE to load/],
      [['--frob'], {}, 2, /^user-badges: unknown option --frob\n/],
      [['serve', '--port'], {}, 2, /--port needs a value/],
      [['serve', '--port', 'abc'], { PORT: '3000' }, 1, /^user-badges: --port must be 0-65535, not "abc"\n$/],
      [['serve'], { PORT: 'abc' }, 1, /^user-badges: PORT must be 0-65535, not "abc"\n$/],
      [['serve', '--body-timeout-ms', '10s'], {}, 1, /^user-badges: --body-timeout-ms must be a whole number from 1 to \d+, not "10s"\n$/],
      [['serve'], { BODY_TIMEOUT_MS: '10s' }, 1, /^user-badges: BODY_TIMEOUT_MS must be a whole number/],
      [['export', '--database', 'mysql://x'], {}, 1, /^user-badges: --database must be a postgres:\/\/ or postgresql:\/\/ URL\n$/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => cli(args, env)));
    cases.forEach(([args, , code, message], i) => {
      const result = results[i]!;
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
      assert.doesNotMatch(result.stderr, /Usage:|unknown command/, args.join(' '));
    });
  });

  test('--version prints the version of the package', async () => {
    const version = await run('--version');
    const { version: expected } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.deepEqual([version.code, version.stdout, version.stderr], [0, `${expected}\n`, '']);
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

  test('--help prints the usage, each explanation beside what it explains', async () => {
    const help = await run('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: user-badges <command> \[options\]\n/);
    for (const command of ['serve', 'service list', 'service create NAME', 'service show-key NAME', 'service rotate-key NAME', 'export', 'import FILE', 'migrate']) {
      assert.match(help.stdout, new RegExp(`^  ${command}`, 'm'), command);
    }
    assert.match(help.stdout, /^  TEST_SERVICE=on\|off +Whether the service named "test" takes writes without a key\n {30,}\(default on/m);
    assert.match(help.stdout, /^  --version +Print the version/m);
    // Every line is a heading, a name with its explanation, or an indented continuation.
    for (const line of help.stdout.trimEnd().split('\n')) assert.match(line, /^(|[A-Z].*|  .*)$/, line);
    assert.ok(help.stdout.split('\n').every((line) => line.length <= 110), 'fits a terminal');
  });
});
