import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Background } from '../../server/jobs/background.js';

test('a job runs on its interval, at once when woken, never twice at a time; stop waits for it and ends it', async () => {
  const errors: string[] = [];
  const background = new Background((message) => errors.push(message));
  let rounds = 0;
  let concurrent = 0;
  let most = 0;
  let release: (() => void) | null = null;
  background.add({
    name: 'work',
    intervalMs: 60_000,
    async run() {
      rounds++;
      most = Math.max(most, ++concurrent);
      if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
      if (rounds === 3) throw new Error('boom');
      concurrent--;
    },
  });
  assert.equal(rounds, 0, 'not before its interval');
  background.wake('work');
  assert.equal(rounds, 1);
  background.wake('work');
  background.wake('work');
  assert.equal(rounds, 1, 'woken while running: once more after, not now');
  release!();
  await sleep(10);
  await background.settled('work');
  assert.equal(rounds, 2, 'the wakes while running made one more round');
  background.wake('work');
  await background.settled('work');
  assert.deepEqual(errors, ['background job work failed'], 'a failed round is logged and the job goes on');
  concurrent = 0;
  background.wake('work');
  await background.settled('work');
  assert.equal(rounds, 4);
  assert.equal(most, 1);
  await background.stop();
  background.wake('work');
  assert.equal(rounds, 4, 'stopped: no more rounds');
});

test('rounds repeat on the interval', async () => {
  const background = new Background();
  let rounds = 0;
  background.add({ name: 'tick', intervalMs: 5, run: async () => void rounds++ });
  await sleep(100);
  await background.stop();
  assert.ok(rounds >= 3, `${rounds} rounds in 100 ms`);
});
