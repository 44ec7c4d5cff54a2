import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedTurns, Turns } from '../../server/http/turns.js';

/** Work that runs until `finish()`; `started` tells when it began. */
function gate() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const state = { started: false };
  return { state, finish, work: async () => ((state.started = true), await done) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('turns', () => {
  test('Turns: at most `limit` run per key, in the order asked; past `maxWaiting` waiting, refused', async () => {
    const turns = new Turns(1, 1, () => new Error('full'));
    const [a, b, c] = [gate(), gate(), gate()];
    const ran = [turns.run('k', a.work), turns.run('k', b.work)];
    await assert.rejects(turns.run('k', c.work), /full/);
    const other = gate();
    const otherRun = turns.run('j', other.work);
    await tick();
    assert.deepEqual([a.state.started, b.state.started, other.state.started], [true, false, true], 'keys do not wait for each other');
    a.finish();
    await tick();
    assert.equal(b.state.started, true);
    b.finish();
    other.finish();
    await Promise.all([...ran, otherRun]);
  });

  test('SharedTurns: at most `limit` run in all; the waiting keys take turns; each key has its own bound on waiting', async () => {
    const turns = new SharedTurns(1, 2, () => new Error('full'));
    const order: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const run = (key: string, name: string) => {
      const g = gate();
      gates.set(name, g);
      return turns.run(key, async () => (order.push(name), await g.work()));
    };
    const runs = [run('a', 'a1'), run('a', 'a2'), run('a', 'a3')];
    await assert.rejects(run('a', 'a4'), /full/, "past a key's bound");
    runs.push(run('b', 'b1'), run('b', 'b2'));
    await tick();
    assert.deepEqual(order, ['a1'], 'one at a time, whatever the key');
    assert.deepEqual([turns.waitingFor('a'), turns.waitingFor('b')], [2, 2]);
    for (const name of ['a1', 'a2', 'b1', 'a3', 'b2']) {
      gates.get(name)!.finish();
      await tick();
    }
    // a2 was first in line when a1 ended; then b, then a again: b1 did not wait for all of a.
    assert.deepEqual(order, ['a1', 'a2', 'b1', 'a3', 'b2']);
    await Promise.all(runs);
    assert.deepEqual([turns.waitingFor('a'), turns.waitingFor('b')], [0, 0]);
    const again = gate();
    const last = turns.run('c', again.work);
    await tick();
    assert.equal(again.state.started, true, 'the turn was given back once no one waited');
    again.finish();
    await last;
  });
});
