import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineFiles } from '../../server/stores/lowdb/line-files.js';
import { eachLine, readAhead, SnapshotFiles } from '../../server/stores/lowdb/snapshot-files.js';
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

test('a snapshot file is read a chunk at a time: lines across chunk boundaries, characters of several bytes, a torn end', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'big.jsonl');
  // 3 MB of lines of varied lengths, so that lines (and a 3-byte character) straddle each 1 MB boundary.
  const written: string[] = [];
  let size = 0;
  for (let i = 0; size < 3 * 1024 * 1024; i++) {
    const line = JSON.stringify({ i, text: `✓${'é'.repeat(i % 997)}` });
    written.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  const bytes = Buffer.from(written.join('\n') + '\n{"torn":');
  await writeFile(path, bytes);
  const seen: string[] = [];
  const read = await eachLine(path, (line, offset, length) => {
    assert.equal(bytes.toString('utf8', offset, offset + length), line, `line ${seen.length + 1} is where it says`);
    seen.push(line);
  });
  assert.deepEqual(read, { lines: written.length, torn: true });
  assert.deepEqual(seen, written);
  assert.equal(await eachLine(join(dir, 'none.jsonl'), () => assert.fail('no lines in no file')), null);
});

test('files read ahead come in order, small ones whole, and read as eachLine reads them from disk', async (t) => {
  const dir = await tempDir(t);
  const paths: string[] = [];
  const contents = new Map<string, string>();
  // 20 small files (more than are read ahead at once), one of 2 MB, one missing, one torn.
  for (let i = 0; i < 20; i++) {
    const path = join(dir, `${i}.jsonl`);
    const text = Array.from({ length: i + 1 }, (_, j) => JSON.stringify({ i, j, text: 'é'.repeat(j * 7) })).join('\n') + '\n';
    await writeFile(path, text);
    paths.push(path);
    contents.set(path, text);
  }
  const big = join(dir, 'big.jsonl');
  const line = JSON.stringify({ text: 'x'.repeat(1000) });
  await writeFile(big, `${line}\n`.repeat(2048));
  const torn = join(dir, 'torn.jsonl');
  await writeFile(torn, '{"a":1}\n{"b":');
  const missing = join(dir, 'missing.jsonl');
  paths.splice(7, 0, big, missing, torn);

  const order: string[] = [];
  for await (const { path, bytes } of readAhead(paths)) {
    order.push(path);
    if (path === big || path === missing) assert.equal(bytes, undefined, `${path}: left to eachLine`);
    else assert.ok(bytes, `${path}: read whole`);
    const fromBytes: string[] = [];
    const fromDisk: string[] = [];
    const a = await eachLine(path, (l) => fromBytes.push(l), bytes);
    const b = await eachLine(path, (l) => fromDisk.push(l));
    assert.deepEqual(a, b, path);
    assert.deepEqual(fromBytes, fromDisk, path);
    if (contents.has(path)) assert.deepEqual(fromBytes, contents.get(path)!.trimEnd().split('\n'));
  }
  assert.deepEqual(order, paths);
  assert.deepEqual(await eachLine(torn, () => {}, (await readAhead([torn]).next()).value!.bytes), { lines: 1, torn: true });
});

test('a file rewritten whole is written a piece at a time: its bytes are the lines joined, and each line lands where it is', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'hour.jsonl');
  const files = new SnapshotFiles();
  // About 4 MB: several pieces, lines of several-byte characters across their ends.
  const lines = Array.from({ length: 20_000 }, (_, i) => `{"i":${i},"text":"${'é☕x'.repeat(i % 97)}"}`);
  let landed: { rewritten: boolean; base: number; lengths: number[] } | null = null;
  await files.write({
    file,
    count: lines.length,
    changed: () => lines,
    live: lines.length,
    all: () => ({ count: lines.length, line: (i) => lines[i]! }),
    places: { rewriting: () => {}, landed: (rewritten, base, lengths) => (landed = { rewritten, base, lengths: Array.from(lengths) }), removed: () => {}, failed: () => {} },
  });
  const bytes = await readFile(file);
  assert.equal(bytes.toString('utf8'), lines.join('\n') + '\n');
  assert.ok(landed, 'the places are given');
  const { rewritten, base, lengths } = landed as { rewritten: boolean; base: number; lengths: number[] };
  assert.equal(rewritten, true);
  let offset = base;
  for (let i = 0; i < lines.length; i++) {
    assert.equal(bytes.toString('utf8', offset, offset + lengths[i]!), lines[i], `line ${i}`);
    offset += lengths[i]! + 1;
  }
});

test('many lines read together are those read one at a time, in the order asked, near or far apart', async (t) => {
  const dir = await tempDir(t);
  const files = new LineFiles();
  t.after(() => files.closeAll());
  const path = join(dir, 'hour.jsonl');
  // Lines of several-byte characters, some long enough that neighbours are more than a read's gap apart.
  const lines = Array.from({ length: 3000 }, (_, i) => `{"i":${i},"t":"${'é☕'.repeat(i % 7 === 0 ? 20_000 : i % 50)}"}`);
  await writeFile(path, lines.join('\n') + '\n');
  const places: { offset: number; length: number }[] = [];
  let offset = 0;
  for (const line of lines) {
    places.push({ offset, length: Buffer.byteLength(line) });
    offset += Buffer.byteLength(line) + 1;
  }
  const file = files.of(path);
  fc.assert(
    fc.property(fc.array(fc.nat(lines.length - 1), { maxLength: 400 }), (picked) => {
      assert.deepEqual(file.readMany(picked.map((n) => places[n]!)), picked.map((n) => lines[n]));
    }),
    { numRuns: 60 },
  );
  assert.deepEqual(file.readMany(places), lines, 'the whole file, past the most one read takes');
});
