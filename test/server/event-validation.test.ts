import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEvent, isProblem } from '../../server/core/events/validate-event.js';

/**
 * Each event of a batch is checked against its schema (types/events-schema.ts), which names the code
 * of every refusal and holds the limits, then for what a schema cannot say. One case per rule.
 */

const t = { source: 'app', type: 'task', action: 'close' };
const ok = (extra: object) => ({ eventType: t, id: 1, user: 'u', ...extra });

const CASES: [string, unknown, string, { getbadges?: boolean }?][] = [
  ['null', null, 'invalid_event'],
  ['an array', [ok({})], 'invalid_event'],
  ['text', 'an event', 'invalid_event'],
  ['no id', { eventType: t, user: 'u' }, 'invalid_event_id'],
  ['an empty id', ok({ id: '' }), 'invalid_event_id'],
  ['an id of 201 characters', ok({ id: 'x'.repeat(201) }), 'invalid_event_id'],
  ['an id of 200', ok({ id: 'x'.repeat(200) }), 'ok'],
  ['a fractional id', ok({ id: 1.5 }), 'invalid_event_id'],
  ['an id past 2^53', ok({ id: 2 ** 60 }), 'invalid_event_id'],
  ['no event type', { id: 1, user: 'u' }, 'invalid_event_type'],
  ['a part with "/"', ok({ eventType: { ...t, source: 'a/b' } }), 'invalid_event_type'],
  ['an event type with more fields', ok({ eventType: { ...t, extra: 1 } }), 'ok'],
  ['nobody', { eventType: t, id: 1 }, 'invalid_user'],
  ['a user and an address', ok({ email: 'a@example.org' }), 'invalid_user'],
  ['a user and an empty address', ok({ email: '' }), 'ok'],
  ['a user name with a space at its end', ok({ user: 'u ' }), 'invalid_user'],
  ['a user that is a number', ok({ user: 5 }), 'invalid_user'],
  ['an address that is none', { eventType: t, id: 1, email: 'nope' }, 'invalid_user'],
  ['an address of 321 characters', { eventType: t, id: 1, email: `${'a'.repeat(309)}@example.org` }, 'invalid_user'],
  ['an address, spaced and in capitals', { eventType: t, id: 1, email: ' A@Example.org ' }, 'ok'],
  ['a time in words', ok({ at: 'yesterday' }), 'invalid_at'],
  ['a time without offset', ok({ at: '2026-02-03T01:00:00' }), 'invalid_at'],
  ['a time with an offset, without seconds', ok({ at: '2026-02-03T01:00+02:00' }), 'ok'],
  ['a preview that is a number', ok({ preview: 5 }), 'invalid_preview'],
  ['a preview of 501 characters', ok({ preview: 'x'.repeat(501) }), 'invalid_preview'],
  ['nulls for preview, permalink and data', ok({ preview: null, permalink: null, data: null }), 'ok'],
  ['a javascript: link', ok({ permalink: 'javascript:alert(1)' }), 'invalid_permalink'],
  ['a link of 2001 characters', ok({ permalink: `https://x.org/${'a'.repeat(1987)}` }), 'invalid_permalink'],
  ['an HTTPS link in capitals', ok({ permalink: 'HTTPS://x.org/a' }), 'ok'],
  ['data that is a list', ok({ data: [1] }), 'invalid_data'],
  ['data of more than 2 KB', ok({ data: { a: 'x'.repeat(2048) } }), 'invalid_data'],
  ['data nested 9 deep', ok({ data: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } }), 'invalid_data'],
  ['GetBadges: no version', { eventType: t, id: 1, email: 'a@example.org' }, 'invalid_version', { getbadges: true }],
  ['GetBadges: version 1', { version: 1, eventType: t, id: 1, email: 'a@example.org' }, 'invalid_version', { getbadges: true }],
  ['GetBadges: version 0', { version: 0, eventType: t, id: 1, email: 'a@example.org' }, 'ok', { getbadges: true }],
];

test('each event is refused with the code its schema declares, or taken', () => {
  const got = CASES.map(([, raw, , options]) => checkEvent(raw, options)).map((r) => (isProblem(r) ? r.code : 'ok'));
  assert.deepEqual(Object.fromEntries(CASES.map(([name], i) => [name, got[i]])), Object.fromEntries(CASES.map(([name, , code]) => [name, code])));
});

test('what an event becomes: names NFC, addresses normalised, times in UTC, empty parts left out', () => {
  assert.deepEqual(checkEvent({ eventType: t, id: 7, user: 'Zoe\u0308', at: '2026-02-03T01:00+02:00', preview: '', permalink: '', data: {} }), {
    id: '7',
    type: 'app/task/close',
    user: 'Zoë',
    at: '2026-02-02T23:00:00.000Z',
    value: { t: 'app/task/close' },
  });
  assert.deepEqual(checkEvent({ eventType: t, id: 'x', email: ' A@Example.org ', preview: 'p', permalink: 'https://x.org', data: { a: 1 } }), {
    id: 'x',
    type: 'app/task/close',
    email: 'a@example.org',
    value: { t: 'app/task/close', p: 'p', l: 'https://x.org', d: { a: 1 } },
  });
});
