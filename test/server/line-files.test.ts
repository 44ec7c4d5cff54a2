import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineFiles } from '../../server/stores/lowdb/line-files.js';
import { tempDir } from './harness.js';

test('a file being replaced stays readable as it was, even once more files were read than are held open and the new one took its name', async (t) => {
  const dir = await tempDir(t);
  const files = new LineFiles();
  const path = join(dir, 'hour.jsonl');
  await writeFile(path, 'old line one\nold line two\n');
  const old = files.of(path);
  assert.equal(old.read(13, 12), 'old line two');
  const pinned = files.replacing(path);
  assert.equal(pinned, old);
  // Reads of 40 other files: the least recently read are closed, but not the one being replaced.
  for (let i = 0; i < 40; i++) {
    const other = join(dir, `other-${i}.jsonl`);
    await writeFile(other, `line ${i}\n`);
    assert.equal(files.of(other).read(0, `line ${i}`.length), `line ${i}`);
  }
  // The rewrite lands under the name, with other bytes at the old offsets.
  await writeFile(join(dir, 'new.tmp'), 'NEW LINE ONE\nNEW LINE TWO!\n');
  await rename(join(dir, 'new.tmp'), path);
  assert.equal(old.read(13, 12), 'old line two', 'the old version reads what it held');
  const fresh = files.replaced(path);
  assert.equal(fresh.read(0, 12), 'NEW LINE ONE');
  assert.equal(old.read(0, 12), 'old line one', 'still open until released');
  files.release(old);
  assert.throws(() => old.read(0, 12), /replaced version/, 'a released old version is never opened again by its name');
  assert.equal(files.of(path), fresh);
  files.closeAll();
});

test('a line that is not all there is an error naming the file, not a short value', async (t) => {
  const dir = await tempDir(t);
  const files = new LineFiles();
  const path = join(dir, 'short.jsonl');
  await writeFile(path, 'abc\n');
  assert.throws(() => files.of(path).read(0, 10), /short\.jsonl ends before byte 10/);
  files.closeAll();
});
