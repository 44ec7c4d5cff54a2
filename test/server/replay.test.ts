import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryReplayStore } from '../../server/stores/replays.js';

const answer = (body: string) => ({ status: 200, type: 'application/json; charset=utf-8', body });

describe('the in-memory replay store', () => {
  test('a first use, a repeat that waits for the first answer, and a use after expiry', async () => {
    const replays = new MemoryReplayStore(0);
    const first = await replays.firstUse('k', 'PUT /a', 10_000, 1_000, true);
    assert.equal(first.first, true);
    const repeat = await replays.firstUse('k', 'PUT /a', 10_000, 2_000, true);
    assert.ok(!repeat.first);
    assert.equal(repeat.request, 'PUT /a');
    let settled = false;
    const waiting = repeat.answer.then((a) => ((settled = true), a));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'the repeat waits while the first is in flight');
    if (first.first) first.answered(answer('{"ok":1}'));
    assert.deepEqual(await waiting, answer('{"ok":1}'));
    assert.equal((await replays.firstUse('k', 'PUT /a', 20_000, 10_000, true)).first, true, 'expired: a use like any other');
  });

  test('answers are not kept without keepAnswer, nor past the byte budget', async () => {
    const replays = new MemoryReplayStore(0, { entries: 100, answerBytes: 100 });
    const unkept = await replays.firstUse('nonce', 'r', 10_000, 0, false);
    if (unkept.first) unkept.answered(answer('{}'));
    const again = await replays.firstUse('nonce', 'r', 10_000, 0, false);
    assert.ok(!again.first);
    assert.equal(await again.answer, null);

    const big = await replays.firstUse('big', 'r', 10_000, 0, true);
    if (big.first) big.answered(answer('x'.repeat(100)));
    const bigAgain = await replays.firstUse('big', 'r', 10_000, 0, true);
    assert.ok(!bigAgain.first);
    assert.equal(await bigAgain.answer, null, 'over the budget: not kept');
  });

  test('full of unexpired signatures it refuses with 503 busy; expired ones make room', async () => {
    const replays = new MemoryReplayStore(0, { entries: 3, answerBytes: 1024 });
    for (const key of ['a', 'b', 'c']) await replays.firstUse(key, 'r', 10_000, 0, false);
    await assert.rejects(replays.firstUse('d', 'r', 10_000, 1, false), { kind: 'unavailable', code: 'busy' });
    assert.equal((await replays.firstUse('d', 'r', 30_000, 10_000, false)).first, true);
  });
});
