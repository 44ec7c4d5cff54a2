// scripts/find-chromium.mjs against a fake PATH and fake install places (node:test): the real
// browser of this machine is never removed or touched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureChromium, findChromium } from '../../scripts/find-chromium.mjs';

const script = new URL('../../scripts/find-chromium.mjs', import.meta.url).pathname;
const dirs = [];
const folder = () => {
  const d = mkdtempSync(join(tmpdir(), 'find-chromium-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fake = (dir, name, body = 'exit 0') => {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
  return join(dir, name);
};

test('$CHROMIUM wins when it is an executable', () => {
  const bin = folder();
  const mine = fake(folder(), 'my-chrome');
  fake(bin, 'chromium');
  assert.equal(findChromium({ env: { CHROMIUM: mine, PATH: bin }, places: [] }), mine);
});

test('a wrong $CHROMIUM stops with a message naming it, instead of being ignored', () => {
  const bin = folder();
  fake(bin, 'chromium');
  assert.throws(() => findChromium({ env: { CHROMIUM: join(bin, 'nope'), PATH: bin }, places: [] }), /CHROMIUM=.*nope is not an executable/);
  const r = spawnSync(process.execPath, [script], { env: { CHROMIUM: '/no/such/chrome', PATH: bin }, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /CHROMIUM=\/no\/such\/chrome is not an executable file/);
});

test('finds the usual names on $PATH, in order, skipping files that are not executable', () => {
  const a = folder();
  const b = folder();
  writeFileSync(join(a, 'chromium'), 'not executable');
  const chrome = fake(b, 'google-chrome-stable');
  assert.equal(findChromium({ env: { PATH: [a, b].join(':') }, places: [] }), chrome);
  const chromium = fake(b, 'chromium');
  assert.equal(findChromium({ env: { PATH: [a, b].join(':') }, places: [] }), chromium);
});

test('then the usual install places', () => {
  const place = fake(folder(), 'Google Chrome');
  assert.equal(findChromium({ env: { PATH: folder() }, places: ['/nowhere/chrome', place] }), place);
  assert.equal(findChromium({ env: { PATH: folder() }, places: ['/nowhere/chrome'] }), null);
});

test('none found, not root: says exactly what to install', () => {
  const bin = folder();
  fake(bin, 'apt-get', 'echo "must not run" >&2; exit 1');
  assert.throws(
    () => ensureChromium({ env: { PATH: bin }, places: [], isRoot: false, log: () => {} }),
    (e) =>
      /none was found/.test(e.message) &&
      /apt-get install -y --no-install-recommends chromium fonts-dejavu-core/.test(e.message) &&
      /CHROMIUM=\/path\/to\/chrome/.test(e.message),
  );
});

test('none found, root with apt-get: installs Debian\'s chromium, then finds it', () => {
  const bin = folder();
  const calls = join(folder(), 'calls');
  // A fake apt-get that records its arguments and "installs" a browser onto the PATH.
  fake(bin, 'apt-get', `echo "$@" >> ${calls}\ncase "$1" in install) printf '#!/bin/sh\\n' > ${bin}/chromium; /bin/chmod +x ${bin}/chromium;; esac`);
  const logs = [];
  const found = ensureChromium({ env: { PATH: bin }, places: [], isRoot: true, log: (m) => logs.push(m) });
  assert.equal(found, join(bin, 'chromium'));
  assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), ['update -qq', 'install -y -qq --no-install-recommends chromium fonts-dejavu-core']);
  assert.match(logs.join(), /installing Debian's chromium/);
});

test('root, but apt-get installs nothing usable: the same clear message', () => {
  const bin = folder();
  fake(bin, 'apt-get');
  assert.throws(() => ensureChromium({ env: { PATH: bin }, places: [], isRoot: true, log: () => {} }), /none was found/);
});
