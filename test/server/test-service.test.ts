import assert from 'node:assert/strict';
import { test } from 'node:test';
import { start } from './harness.js';

test('the open test service has none of what keeps private data or grows without a quota; the original API stays', async (t) => {
  const h = await start();
  t.after(() => h.close());
  assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'tried' }] } })).status, 200);
  assert.equal((await h.request('PUT', '/v1/test/users/someone.json', { body: { badges: ['tried'] } })).status, 200);
  assert.equal((await h.request('GET', '/v1/test/activity.json')).status, 200);
  const closed: [string, string, unknown?][] = [
    ['POST', '/v1/test/events.json', { events: [] }],
    ['PUT', '/v1/test/event-types.json', { eventTypes: [{ source: 'a', type: 'b', action: 'c' }] }],
    ['POST', '/v1/test/rules.json', { badge: 'tried', condition: 'first', eventTypes: [{ source: 'a', type: 'b', action: 'c' }] }],
    ['POST', '/v1/test/integrations.json', { name: 'x' }],
    ['PUT', '/v1/test/users/someone/emails.json', { emails: ['someone@example.org'] }],
    ['GET', '/v1/test/users/someone/emails.json'],
    ['GET', '/v1/test/invitations.json'],
    ['POST', '/v1/test/badges/tried/awards.json', { emails: ['a@example.org'] }],
    ['POST', '/v1/test/badges/tried/claim-codes.json', { count: 1 }],
    ['POST', '/v1/test/keys.json', { label: 'x', operations: ['award'] }],
    ['GET', '/v1/test/webhooks.json'],
  ];
  for (const [method, path, body] of closed) {
    const r = await h.request(method, path, { body });
    assert.deepEqual([r.status, r.json?.error?.code], [403, 'not_on_test_service'], `${method} ${path}: ${r.text}`);
  }
});
