import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { integrationOfToken } from '../../server/core/events/integrations.js';
import { openStore } from '../../server/stores/index.js';
import { cli } from '../support/serve.js';
import { tempDir } from './harness.js';

const run = (args: string[]) => cli(args, { ADMIN_TOKEN: '' });

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
