import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { openStore } from '../../server/stores/index.js';
import { tempDir } from './harness.js';

const HOLDER = new URL('./lock-holder.ts', import.meta.url).pathname;
const NODE = [process.execPath, '--import', 'tsx', HOLDER];

/** A lock holder (lock-holder.ts); `orphan`: started through a parent that never reaps it. */
function holder(file: string, { orphan = false, go = false } = {}) {
  const env = { ...process.env, DATA_FILE: file, ...(go ? { GO: '1' } : {}) };
  const child = orphan
    ? spawn('sh', ['-c', '"$0" "$@" & exec sleep 600', ...NODE], { env, stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(NODE[0]!, NODE.slice(1), { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const line = async () => {
    const next = await lines.next();
    if (next.done) throw new Error('the holder ended without a word');
    return next.value as string;
  };
  return { child, line };
}

const exited = (child: ChildProcess) =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

/** Waits (bounded) until `pid` is a zombie: dead, its files closed, not yet reaped. */
async function zombie(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (/^\d+ \(.*\) Z/.test(stat)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${pid} did not become a zombie`);
}

describe('the data-folder lock', { timeout: 60_000 }, () => {
  test('a restart right after kill -9 starts, though the killed server is a zombie that still has its pid', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const killed = holder(file, { orphan: true });
    t.after(() => killed.child.kill('SIGKILL'));
    assert.equal(await killed.line(), 'loaded');
    const pid = Number(/^won (\d+)$/.exec(await killed.line())![1]);
    process.kill(pid, 'SIGKILL');
    await zombie(pid);
    const store = await openStore({ file });
    await store.close();
  });

  test('two live servers on one folder are still refused, with the owner named', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const owner = holder(file);
    t.after(() => owner.child.kill('SIGKILL'));
    assert.equal(await owner.line(), 'loaded');
    assert.equal(await owner.line(), `won ${owner.child.pid}`);
    const second = holder(file);
    t.after(() => second.child.kill('SIGKILL'));
    assert.equal(await second.line(), 'loaded');
    assert.match(await second.line(), new RegExp(`^refused .*in use by process ${owner.child.pid}`));
    owner.child.stdin!.end();
    await exited(owner.child);
    const third = await openStore({ file });
    await third.close();
  });

  test('starters racing for a dead lock: exactly one wins', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const dead = holder(file);
    t.after(() => dead.child.kill('SIGKILL'));
    assert.equal(await dead.line(), 'loaded');
    await dead.line();
    dead.child.kill('SIGKILL');
    await exited(dead.child);

    const racers = Array.from({ length: 6 }, () => holder(file, { go: true }));
    t.after(() => racers.forEach((r) => r.child.kill('SIGKILL')));
    for (const racer of racers) assert.equal(await racer.line(), 'loaded');
    for (const racer of racers) racer.child.stdin!.write('go\n');
    const outcomes = await Promise.all(racers.map((r) => r.line()));
    const winners = outcomes.filter((o) => o.startsWith('won'));
    assert.equal(winners.length, 1, outcomes.join('\n'));
    for (const outcome of outcomes) if (!outcome.startsWith('won')) assert.match(outcome, /in use by process/);
    for (const racer of racers) racer.child.stdin!.end();
    await Promise.all(racers.map((r) => exited(r.child)));
  });
});
