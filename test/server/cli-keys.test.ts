import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../support/serve.js';
import { tempDir } from './harness.js';

test('key create, list and revoke on the data; rotate-key --grace', async (t) => {
  const data = join(await tempDir(t), 'db.json');
  assert.equal((await cli(['service', 'create', 'shop', '--data', data])).code, 0);
  const made = await cli(['key', 'create', 'shop', '--label', 'bot', '--operations', 'award,read_private', '--badges', 'gold', '--expires', '30d', '--data', data]);
  assert.equal(made.code, 0, made.stderr);
  const key = JSON.parse(made.stdout);
  assert.deepEqual([key.label, key.operations, key.badges], ['bot', ['award', 'read_private'], ['gold']]);
  assert.match(key.token, /^key_[a-z2-7]{20}\.[A-Za-z0-9_-]{43}$/);
  const listed = await cli(['key', 'list', 'shop', '--data', data]);
  assert.equal(listed.stdout.trim().split('\n').length, 1);
  assert.doesNotMatch(listed.stdout, new RegExp(key.secret));
  assert.equal((await cli(['key', 'revoke', 'shop', key.id, '--data', data])).code, 0);
  assert.equal((await cli(['key', 'list', 'shop', '--data', data])).stdout, '');

  const wrong = await cli(['key', 'create', 'shop', '--label', 'x', '--operations', 'fly', '--data', data]);
  assert.equal(wrong.code, 2, 'a usage error: nothing was done');
  assert.match(wrong.stderr, /--operations must list some of award, revoke, manage_badges, read_private, not fly/);
  assert.equal((await cli(['key', 'create', '--data', data])).code, 2);
  const soon = await cli(['service', 'rotate-key', 'shop', '--grace', 'soon', '--data', data]);
  assert.deepEqual([soon.code, /--grace must be/.test(soon.stderr)], [2, true]);
  assert.equal((await cli(['service', 'rotate-key', 'shop', '--grace', '24h', '--data', data])).code, 0);
});
