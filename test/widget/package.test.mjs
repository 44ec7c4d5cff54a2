// The package as someone's backend gets it (node:test): `npm pack` (which builds), then
// `npm install ./user-badges-x.tgz` into a scratch project, preferring the npm cache, then every
// export, the widget files the server hosts, and the command line, all from that install.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'user-badges-package-'));
const app = join(scratch, 'app');
let packed;

before(() => {
  // `npm pack` runs prepack (removes dist/) and prepare (builds it); its scripts print before the JSON.
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packed = JSON.parse(out.slice(out.lastIndexOf('\n[') + 1))[0];
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'someones-backend', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, packed.filename)], { cwd: app, stdio: 'pipe' });
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the tarball holds the build, the themes and the demo; no tests, sources, bench or CI', () => {
  const files = packed.files.map((f) => f.path);
  for (const f of [
    'bin/user-badges.js',
    'dist/server/index.js',
    'dist/server/cli/main.js',
    'dist/server/index.d.ts',
    'dist/client/user-badges-client.js',
    'dist/client/user-badges-client.d.ts',
    'dist/widget/user-badges.js',
    'dist/widget/user-badges.js.br',
    'dist/widget/user-badges.js.map',
    'dist/widget/user-badges.esm.js',
    'dist/widget/index.d.ts',
    'dist/custom-elements.json',
    'themes/base.css',
    'themes/auto.css',
    'demo/index.html',
    'README.md',
    'widget/README.md',
  ]) {
    assert.ok(files.includes(f), f);
  }
  const stray = files.filter((f) => /^(test|bench|\.ci|scripts|server|client|types)\/|^widget\/.*\.ts$|^dist\/(server|client|types)\/.*\.map$/.test(f));
  assert.deepEqual(stray, []);
});

test('every export imports from the install, and the server it builds hosts the widget', () => {
  const script = `
    import * as widget from 'user-badges';
    import { UserBadgesClient } from 'user-badges/client';
    import { createApp, openStore } from 'user-badges/server';
    const out = { widget: Object.keys(widget).sort() };
    const store = await openStore({ seed: true });
    const root = new URL('./node_modules/user-badges/', import.meta.url).pathname;
    const server = createApp({ store, config: { publicRoot: root, log() {} } }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = 'http://127.0.0.1:' + server.address().port;
    out.files = {};
    for (const p of ['/user-badges.js', '/themes/auto.css', '/themes/base.css', '/', '/demo/docs.html']) out.files[p] = (await fetch(base + p)).status;
    const client = new UserBadgesClient({ server: base, service: 'test' });
    await client.putBadges([{ name: 'installed', type: 'gold' }]);
    await client.award('someone', ['installed']);
    out.awarded = (await client.users({ names: ['someone'] })).users[0].badges.map((b) => b.name);
    server.close();
    await store.close();
    console.log(JSON.stringify(out));`;
  writeFileSync(join(app, 'check.mjs'), script);
  const out = JSON.parse(execFileSync(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8' }));
  for (const name of ['UserBadgesElement', 'defineUserBadges', 'setDefaultServer', 'sanitizeHTML', 'startLegacy', 'UserBadgesError']) {
    assert.ok(out.widget.includes(name), name);
  }
  assert.deepEqual(out.files, { '/user-badges.js': 200, '/themes/auto.css': 200, '/themes/base.css': 200, '/': 200, '/demo/docs.html': 200 });
  assert.deepEqual(out.awarded, ['installed']);
});

test('npx user-badges --help, and serve, work from the install', async () => {
  const help = spawnSync('npx', ['user-badges', '--help'], { cwd: app, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: user-badges <command>/);
  // The bin npm linked, started directly so that killing it stops the server (npx would sit between).
  const serve = spawn(join(app, 'node_modules/.bin/user-badges'), ['serve', '--port', '0', '--host', '127.0.0.1', '--data', join(scratch, 'data', 'db.json')], { cwd: app });
  try {
    const url = await new Promise((resolve, reject) => {
      let seen = '';
      serve.stdout.on('data', (d) => {
        seen += d;
        const m = /listening on (http:\S+)/.exec(seen);
        if (m) resolve(m[1]);
      });
      serve.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${seen}`)));
    });
    const script = await fetch(url + '/user-badges.js');
    assert.equal(script.status, 200);
    assert.match(await script.text(), /^\(function/);
  } finally {
    serve.kill('SIGTERM');
  }
});
