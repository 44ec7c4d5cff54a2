import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { integrationOfToken } from '../../server/core/events/integrations.js';
import { openStore } from '../../server/stores/index.js';
import { tempDir } from './harness.js';

const CLI = new URL('../../server/cli/main.ts', import.meta.url).pathname;

const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ADMIN_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

test('integration create makes a token for the GetBadges URL that the server accepts', async (t) => {
  const data = join(await tempDir(t), 'db.json');
  assert.equal((await run(['service', 'create', 'shop', '--data', data])).code, 0);
  const made = await run(['integration', 'create', 'shop', '--name', 'gitlab', '--data', data]);
  assert.equal(made.code, 0, made.stderr);
  const printed = JSON.parse(made.stdout);
  assert.equal(printed.name, 'gitlab');
  assert.equal(printed.url, `/v0/event/log/${printed.token}`);
  const store = await openStore({ file: data });
  try {
    assert.equal((await integrationOfToken(store, printed.token))?.service, 'shop');
    assert.equal(await integrationOfToken(store, printed.token.slice(0, -1) + (printed.token.endsWith('A') ? 'B' : 'A')), undefined);
  } finally {
    await store.close();
  }

  const missing = await run(['integration', 'create', 'nosuch', '--data', data]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /does not exist/);
  assert.equal((await run(['integration', '--data', data])).code, 2);
});
