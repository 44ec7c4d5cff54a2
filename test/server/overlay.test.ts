import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeKey, type Change } from '../../server/core/changes.js';
import { Overlay } from '../../server/core/overlay.js';
import { State } from '../../server/stores/lowdb/state.js';

/**
 * The embedded store takes each unit's changes into its overlay of writes on their way to disk with
 * the keys the unit gave them (`adopt`), and forgets them by those keys once they are applied (issue
 * 25: checking and keying each change again was a share of every award).
 */
const item = (id: string, at: string, v: unknown): Change => ({ t: 'item', s: 'demo', v: { kind: 'activity', id, owner: 'ann', at, v } });

test('changes adopted with their keys read as put, and are forgotten only while they are the last of their record', async () => {
  const base = new State();
  const tx = new Overlay(base);
  tx.put(item('a', '2026-12-07T10:00:00.000Z', 1));
  tx.put(item('b', '2026-12-07T10:00:01.000Z', 2));
  tx.put({ t: 'user', s: 'demo', v: { name: 'ann', createdAt: '2026-12-07T10:00:00.000Z', awards: [] } });
  const keyed = tx.keyedChanges;
  assert.deepEqual(keyed.map(([key, change]) => key === changeKey(change)), [true, true, true]);
  assert.equal((keyed[0]![1] as Extract<Change, { t: 'item' }>).v.subject, 'ann', 'the unit named the subject');

  const pending = new Overlay(base);
  for (const [key, change] of keyed) pending.adopt(key, change);
  assert.deepEqual(pending.changes, tx.changes);
  assert.deepEqual((await pending.item('demo', 'activity', 'b'))?.v, 2);
  assert.equal((await pending.user('demo', 'ann'))?.name, 'ann');

  // A later unit changed "a" again: forgetting the first change of it leaves the later one.
  const later = new Overlay(pending);
  later.put(item('a', '2026-12-07T10:00:02.000Z', 3));
  const [[laterKey, laterChange]] = later.keyedChanges as [[string, Change]];
  pending.adopt(laterKey, laterChange);
  for (const [key, change] of keyed) pending.forget(change, key);
  assert.deepEqual((await pending.item('demo', 'activity', 'a'))?.v, 3);
  assert.equal(await pending.item('demo', 'activity', 'b'), undefined);
  assert.deepEqual(pending.changes, [laterChange]);
});

test('an item that is not valid is refused before anything of it is kept', () => {
  const tx = new Overlay(new State());
  assert.throws(() => tx.put(item('a', 'yesterday', 1)), /no ISO-8601 UTC time/);
  assert.deepEqual(tx.changes, []);
});
