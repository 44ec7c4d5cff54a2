import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { declarations, readSettings, SettingsError } from '../../server/config/settings.js';
import { openStore } from '../../server/stores/index.js';
import { cli, serve } from '../support/serve.js';
import { tempDir } from './harness.js';

const run = (...args: string[]) => cli(args);

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

  test('each mistake on the command line gets its own message, naming what was typed, and exits 2 (issue 12.5, 24.4)', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['service', 'create'], {}, /^user-badges: service create needs the name of a service: user-badges service create NAME \[options\]\n/],
      [['service', 'rotate-key'], {}, /service rotate-key needs the name of a service/],
      [['service', 'show-key'], {}, /service show-key needs the name of a service/],
      [['service'], {}, /service needs a command: list, create, show-key, rotate-key, set, delete/],
      [['service', 'frob'], {}, /unknown service command "frob"/],
      [['service', 'list', 'extra'], {}, /service list takes no arguments, but got "extra"/],
      [['service', 'delete', 'a', 'b'], {}, /service delete takes NAME, but also got "b"/],
      [['service', 'set', 'a'], {}, /service set needs --legacy-signatures on\|off/],
      [['service', 'create', 'a', '--legacy-signatures', 'maybe'], {}, /--legacy-signatures must be on or off, not "maybe"/],
      [['service', 'list', '--port', '80'], {}, /service list takes no option --port/],
      [['key', 'create', 'demo'], {}, /^user-badges: key create needs --label TEXT \(what the key is for\)\nRun "user-badges key create --help"/],
      [['key', 'create', 'demo', '--label', 'x', '--operations', 'fly'], {}, /--operations must list some of award, revoke, manage_badges, read_private, not fly/],
      [['import'], {}, /import needs the FILE to load/],
      [['--frob'], {}, /^user-badges: unknown option --frob\n/],
      [['serve', '--port'], {}, /--port needs a value/],
      [['serve', '--port', 'abc'], { PORT: '3000' }, /^user-badges: --port must be a whole number from 0 to 65535, not "abc"\n$/],
      [['serve'], { PORT: 'abc' }, /^user-badges: PORT must be a whole number from 0 to 65535, not "abc"\n$/],
      [['serve', '--body-timeout-ms', '10s'], {}, /^user-badges: --body-timeout-ms must be a whole number from 1 to \d+, not "10s"\n$/],
      [['serve'], { BODY_TIMEOUT_MS: '10s' }, /^user-badges: BODY_TIMEOUT_MS must be a whole number/],
      [['export', '--database', 'mysql://x'], {}, /^user-badges: --database must be a postgres:\/\/ or postgresql:\/\/ URL\n$/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => cli(args, env)));
    cases.forEach(([args, , message], i) => {
      const result = results[i]!;
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
      // The message, and at most a group's few commands: never the whole overview.
      assert.ok(result.stderr.split('\n').length < 15, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '', args.join(' '));
    });
  });

  test('every wrong setting is named at once, from flags, the environment and the settings file, and nothing starts (issue 19.5)', async (t) => {
    const dir = await tempDir(t);
    const settings = join(dir, 'user-badges.env');
    await writeFile(settings, 'TEST_SERVICE=maybe\nPORTT=80\n');
    const result = await cli(['serve', '--port', 'abc', '--data', join(dir, 'db.json')], { BODY_TIMEOUT_MS: '10s', ADMIN_TOKEN: 'short', SETTINGS_FILE: settings });
    assert.equal(result.code, 2);
    assert.deepEqual(result.stderr.trim().split('\n').sort(), [
      'user-badges: --port must be a whole number from 0 to 65535, not "abc"',
      `user-badges: ${settings}: PORTT is not a setting (${declarations().map(([, d]) => d.env).join(', ')})`,
      'user-badges: ADMIN_TOKEN must be 16-200 visible ASCII characters',
      'user-badges: BODY_TIMEOUT_MS must be a whole number from 1 to 2147483647, not "10s"',
      `user-badges: TEST_SERVICE in ${settings} must be on or off, not "maybe"`,
    ].sort());
    assert.equal(existsSync(join(dir, 'db.json')), false, 'nothing was opened');
  });

  test('the settings: a flag wins over the environment, which wins over the file; production changes defaults, not what was said', () => {
    const file = { path: 'user-badges.env', values: { PORT: '4000', HOST: '0.0.0.0', TEST_SERVICE: 'on', INVITATION_TTL: '12h' } };
    const read = readSettings({ flags: { port: '5000' }, env: { HOST: '127.0.0.1', NODE_ENV: 'production', MAX_CONNECTIONS: '100', SHUTDOWN_GRACE_MS: '0' }, file });
    assert.deepEqual(
      [read.port, read.host, read.production, read.testService, read.seed, read.invitationTtlMs, read.maxConnections, read.shutdownGraceMs, read.bodyTimeoutMs],
      [5000, '127.0.0.1', true, true, false, 12 * 3_600_000, 100, 0, 10_000],
    );
    const development = readSettings({ env: { NODE_ENV: 'development', PORT: '' } });
    assert.deepEqual([development.production, development.testService, development.seed, development.port], [false, true, true, 3000], 'an empty value is unset');
    for (const [name, value] of [['MAX_CONNECTIONS', '0'], ['HEADERS_TIMEOUT_MS', '-5'], ['BODY_BUDGET_BYTES', '1e6'], ['SHUTDOWN_GRACE_MS', '99999999999'], ['WEBHOOK_RETRY_SCALE', '-1'], ['INVITATION_TTL', 'soon']]) {
      assert.throws(() => readSettings({ env: { [name!]: value } }), (error: unknown) => error instanceof SettingsError && new RegExp(`^${name} must be`).test(error.message), name);
    }
  });

  test('each command has its own --help; serve --help names every setting (issue 24.4, 19.5)', async () => {
    const [overview, keyCreate, key, serveHelp] = await Promise.all([run('--help'), run('key', 'create', '--help'), run('key', '--help'), run('serve', '--help')]);
    for (const help of [overview, keyCreate, key, serveHelp]) assert.equal(help.code, 0, help.stderr);
    assert.match(keyCreate.stdout, /^Usage: user-badges key create SERVICE --label TEXT --operations LIST \[options\]\n/);
    assert.match(keyCreate.stdout, /^  --label TEXT +What the key is for \(required\)$/m);
    assert.doesNotMatch(keyCreate.stdout, /service create|HEADERS_TIMEOUT_MS/, 'only its own options');
    assert.match(key.stdout, /^  key revoke SERVICE ID +Revoke/m);
    assert.doesNotMatch(key.stdout, /service create/);
    for (const [, declared] of declarations()) assert.ok(serveHelp.stdout.includes(declared.env), `serve --help names ${declared.env}`);
    assert.ok(keyCreate.stdout.split('\n').length < overview.stdout.split('\n').length);
  });
  test('--version prints the version of the package', async () => {
    const version = await run('--version');
    const { version: expected } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.deepEqual([version.code, version.stdout, version.stderr], [0, `${expected}\n`, '']);
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

    // The seed follows the "listening" line: waited for with the admin notice after it.
    const served = await serve(['--data', data], { env: { ADMIN_TOKEN: '' }, until: /Admin API/ });
    try {
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

  test('--help lists the commands, each explanation beside what it explains', async () => {
    const help = await run('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: user-badges <command> \[options\]\n/);
    for (const command of ['serve', 'service list', 'service create NAME', 'service show-key NAME', 'service rotate-key NAME', 'key create SERVICE', 'export', 'import FILE', 'migrate', 'postgres start']) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'), command);
    }
    assert.match(help.stdout, /^  --version +Print the version/m);
    // Every line is a heading, a name with its explanation, or an indented continuation.
    for (const line of help.stdout.trimEnd().split('\n')) assert.match(line, /^(|[A-Z].*|  .*)$/, line);
    for (const text of [help.stdout, (await run('serve', '--help')).stdout]) assert.ok(text.split('\n').every((line) => line.length <= 110), 'fits a terminal');
  });
});
