import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { selectItems } from '../../server/core/items.js';
import { compareCodePoints } from '../../server/core/order.js';
import type { Item } from '../../server/core/model.js';
import { ItemIndex, type Kept } from '../../server/stores/lowdb/item-index.js';
import { isoOf, timeOf } from '../../server/stores/lowdb/item-times.js';
import { LineFiles } from '../../server/stores/lowdb/line-files.js';
import { Names } from '../../server/stores/lowdb/names.js';
import { PackedStrings } from '../../server/stores/lowdb/packed-strings.js';
import { RowLists } from '../../server/stores/lowdb/row-lists.js';
import { RowsById } from '../../server/stores/lowdb/rows-by-id.js';
import { tempDir } from './harness.js';

/**
 * The embedded store's item index keeps items as rows of columns (issue 25): times as numbers, ids
 * in a table of row numbers. The store suites (items.test.ts) check it through the store; these
 * check the parts where a number stands in for a string, and the renumbering of a compaction.
 */

test("a time in the core's form is a number whose order is the strings'; any other form is refused as NaN", () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.date({ min: new Date('1000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (a, b) => {
      const [atA, atB] = [a.toISOString(), b.toISOString()];
      assert.equal(timeOf(atA), a.getTime());
      assert.equal(isoOf(timeOf(atA)), atA);
      assert.equal(Math.sign(timeOf(atA) - timeOf(atB)), atA < atB ? -1 : atA > atB ? 1 : 0);
    }),
  );
  for (const odd of [
    '2026-12-07T11:39:51.225123Z', // more digits of a second: checkItem lets them through
    '2026-12-07T11:39:51Z',
    '2026-02-29T00:00:00.000Z', // not a leap year: Date.parse would take it as 1 March
    '2024-02-30T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-00-01T00:00:00.000Z',
    '2026-12-07T24:00:00.000Z',
    '2026-12-07T11:60:00.000Z',
    '2026-12-07T11:39:60.000Z',
    '0999-12-07T11:39:51.225Z',
    '2026-12-07t11:39:51.225Z',
    '2026-12-07T11:39:51.225+',
    '2026-1a-07T11:39:51.225Z',
  ]) {
    assert.ok(Number.isNaN(timeOf(odd)), odd);
  }
  assert.equal(timeOf('2024-02-29T23:59:59.999Z'), Date.parse('2024-02-29T23:59:59.999Z'));
});

/** Ids of any form: lone surrogates, and U+FFFD, which is what UTF-8 would make of one. */
const anyId = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ maxLength: 4, unit: 'binary' }), fc.constantFrom('', '\uD800', '\uDC00', '\uD800x', '\uFFFD', 'é', '☕', '\uD83D\uDE00'));

test('packed strings give back any string, picked and through their parts', () => {
  fc.assert(
    fc.property(fc.array(anyId, { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 50 }), (values, picks) => {
      const strings = new PackedStrings();
      values.forEach((value, n) => assert.equal(strings.push(value), n));
      values.forEach((value, n) => assert.equal(strings.get(n), value));
      const numbers = values.length === 0 ? [] : picks.map((p) => p % values.length);
      const picked = PackedStrings.fromParts(strings.pick(numbers).parts());
      numbers.forEach((n, i) => assert.equal(picked.get(i), values[n]));
      picked.push('after');
      assert.equal(picked.get(numbers.length), 'after');
    }),
  );
});

test('packed strings compare in code-point order, as the core does, from their bytes', () => {
  fc.assert(
    fc.property(fc.array(anyId, { minLength: 1, maxLength: 60 }), (values) => {
      const strings = new PackedStrings();
      for (const value of values) strings.push(value);
      for (let a = 0; a < values.length; a++) {
        for (let b = 0; b < values.length; b++) assert.equal(Math.sign(strings.compare(a, b)), Math.sign(compareCodePoints(values[a]!, values[b]!)), `${JSON.stringify(values[a])} ${JSON.stringify(values[b])}`);
      }
    }),
  );
});

test('rows by id answer as a Map does, through adds, deletes and the rebuilds they cause', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), anyId), { maxLength: 400 }), (steps) => {
      const ids = new PackedStrings();
      const table = new RowsById(() => ids);
      const model = new Map<string, number>();
      for (const [add, id] of steps) {
        if (add && !model.has(id)) {
          const row = ids.push(id);
          table.add(row);
          model.set(id, row);
        } else if (!add) {
          assert.equal(table.delete(id), model.get(id), `the row of ${id}, if it was there`);
          model.delete(id);
        }
        assert.equal(table.size, model.size);
      }
      for (const id of new Set(steps.map(([, id]) => id))) assert.equal(table.get(id), model.get(id), id);
      assert.deepEqual([...table.rows()].sort((a, b) => a - b), [...model.values()].sort((a, b) => a - b));
    }),
  );
});

test('rows grouped by owner keep each group in order, short (chained) or long, through inserts, removals and a build', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 199 })), { maxLength: 600 }), (steps) => {
      // Rows ordered by a rank that is not their number, as times out of order make them.
      const rank = (row: number) => (row * 7919) % 211;
      const order = (a: number, b: number) => rank(a) - rank(b) || a - b;
      const lists = new RowLists(order);
      const model = new Map<number, number>();
      for (const [add, key, row] of steps) {
        if (add && !model.has(row)) {
          lists.insert(key, row);
          model.set(row, key);
        } else if (!add && model.has(row)) {
          lists.remove(model.get(row)!, row);
          model.delete(row);
        }
      }
      const expected = (key: number) => [...model].filter(([, k]) => k === key).map(([row]) => row).sort(order);
      for (let key = 0; key <= 3; key++) assert.deepEqual([...lists.list(key)], expected(key), `group ${key}`);
      // Built at once from rows already in order: rows renumbered by their rank's order.
      const byOrder = [...model.keys()].sort(order);
      const built = RowLists.build((a, b) => a - b, byOrder.length, byOrder.length, (row) => model.get(byOrder[row]!)!);
      for (let key = 0; key <= 3; key++) assert.deepEqual([...built.list(key)].map((row) => byOrder[row]), expected(key), `built group ${key}`);
    }),
  );
});

test("an index answers as the core's selection does, through puts out of time order, changes and removals", () => {
  const T0 = Date.parse('2026-12-07T00:00:00.000Z');
  const people = ['ann', 'bob', 'cy'];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 50 }), fc.constantFrom(null, ...people), fc.constantFrom(null, ...people)), { maxLength: 400 }),
      (steps) => {
        const index = new ItemIndex('event');
        const model = new Map<string, Item & { subject: string | null }>();
        steps.forEach(([put, id, second, owner, subject], n) => {
          if (put) {
            const value = { kind: 'event', id: `e${id}`, owner, subject, at: new Date(T0 + second * 1000).toISOString(), v: { n } };
            index.put(value);
            model.set(value.id, value);
          } else {
            index.remove(`e${id}`);
            model.delete(`e${id}`);
          }
        });
        const all = [...model.values()];
        for (const query of [{}, { order: 'desc' as const, limit: 7 }, ...people.flatMap((who) => [{ owner: who }, { subject: who }, { subject: who, order: 'desc' as const, limit: 3 }])]) {
          assert.deepEqual(index.select(query), selectItems(all, query), JSON.stringify(query));
        }
        for (const who of people) assert.equal(index.count({ owner: who }), selectItems(all, { owner: who }).length, who);
        assert.equal(index.count(), all.length);
      },
    ),
  );
});

const item = (id: string, at: string, owner: string | null, n: number) => ({ kind: 'event', id, owner, subject: owner, at, v: { n } }) satisfies Item & { subject: string | null };

test('a compaction renumbers the rows: queries answer as before, and a checkpoint holding items from before places them', async (t) => {
  const dir = await tempDir(t);
  const files = new LineFiles();
  const index = new ItemIndex('event');
  const T0 = Date.parse('2026-12-07T00:00:00.000Z');
  const at = (i: number) => (i % 7 === 0 ? `${new Date(T0 + i * 1000).toISOString().slice(0, -1)}123Z` : new Date(T0 + i * 1000).toISOString());
  const model = new Map<string, Item>();
  for (let i = 0; i < 3000; i++) {
    const put = item(`e${i}`, at(3000 - i), `owner-${i % 40}`, i);
    index.put(put);
    model.set(put.id, put);
  }
  // A checkpoint takes two items, and writes their lines while the index compacts.
  const kept = [index.kept('e2999')!, index.kept('e5')!];
  const path = join(dir, 'hour.jsonl');
  const lines = kept.map((k) => k.line('event'));
  await writeFile(path, lines.join('\n') + '\n');
  // Removing 2,000 of 3,000 (with e5 among the removed) compacts the columns.
  for (let i = 0; i < 2000; i++) {
    index.remove(`e${i}`);
    model.delete(`e${i}`);
  }
  const file = files.of(path);
  kept[0]!.placeAt({ file, offset: 0, length: Buffer.byteLength(lines[0]!) });
  kept[1]!.placeAt({ file, offset: Buffer.byteLength(lines[0]!) + 1, length: Buffer.byteLength(lines[1]!) });
  assert.equal(index.size, 1000);
  assert.equal(index.get('e5'), undefined, 'a removed item is not brought back by its line landing');
  assert.deepEqual(index.get('e2999'), model.get('e2999'));
  // Its value is now read from the file: the file holds it, and the index answers it from there.
  await writeFile(path, lines.join('\n').replace('"n":2999', '"n":9992') + '\n');
  assert.deepEqual(index.get('e2999')?.v, { n: 9992 }, 'the placed item is read from its line');
  // Every query reads as the model's.
  const all = [...model.values()];
  all.find((i) => i.id === 'e2999')!.v = { n: 9992 };
  for (const query of [{}, { order: 'desc' as const, limit: 10 }, { owner: 'owner-3' }, { subject: 'owner-4', order: 'desc' as const }, { from: at(500), to: at(200) }, { from: at(900), to: at(100) }, { after: { at: at(700), id: 'e2300' }, limit: 5 }]) {
    assert.deepEqual(index.select(query), selectItems(all, query), JSON.stringify(query));
  }
  assert.equal(index.count({ owner: 'owner-3', from: at(800) }), selectItems(all, { owner: 'owner-3', from: at(800) }).length);
  assert.equal(index.count({ from: '2026-12-07T00', to: '2026-12-07T00\uffff' }), 1000, 'an hour as a checkpoint counts it');
  assert.deepEqual(index.hours(), new Set(['2026-12-07T00']));
  files.closeAll();
});

test('a line landing for an item changed meanwhile leaves the change where it is', () => {
  const index = new ItemIndex('event');
  index.put(item('a', '2026-12-07T10:00:00.000Z', 'ann', 1));
  const kept = index.kept('a')!;
  index.put(item('a', '2026-12-07T10:00:00.000Z', 'ann', 2));
  kept.placeAt({ file: new LineFiles().of('/nonexistent/never-read.jsonl'), offset: 0, length: 10 });
  assert.deepEqual(index.get('a')?.v, { n: 2 }, 'still the changed value, from memory');
});

test('an index rebuilt from its columns (the start image) answers as the index did, with or without its id table', async (t) => {
  const dir = await tempDir(t);
  const T0 = Date.parse('2026-12-07T00:00:00.000Z');
  const owners = [null, 'ann', 'bob', 'Zoë "x"'];
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ id: anyId, second: fc.nat(20_000), owner: fc.nat(3), subject: fc.nat(4), odd: fc.boolean() }), { maxLength: 120 }),
      fc.array(anyId, { maxLength: 80 }),
      async (puts, removals) => {
        // Every item's line in a file, as a start reads them: the image holds places, not values.
        const path = join(dir, `f${Math.random().toString(36).slice(2)}.jsonl`);
        const files = new LineFiles();
        const file = files.of(path);
        const index = new ItemIndex('event');
        const model = new Map<string, Item>();
        const lines: string[] = [];
        let offset = 0;
        for (const p of puts) {
          const iso = new Date(T0 + p.second * 1000).toISOString();
          const owner = owners[p.owner]!;
          const subject = p.subject === 4 ? 'someone else' : owners[p.subject]!;
          const put = { kind: 'event', id: p.id, owner, subject, at: p.odd ? `${iso.slice(0, -1)}9Z` : iso, v: { n: lines.length } };
          const line = JSON.stringify(put);
          index.put(put, { file, offset, length: Buffer.byteLength(line) });
          model.set(put.id, put);
          lines.push(line);
          offset += Buffer.byteLength(line) + 1;
        }
        await writeFile(path, lines.join('\n') + '\n');
        for (const id of removals) {
          index.remove(id);
          model.delete(id);
        }
        const columns = () => index.columns((f) => (f === file ? 0 : -1))!;
        assert.ok(columns(), 'every row is placed');
        const all = [...model.values()];
        const queries = [{}, { order: 'desc' as const, limit: 7 }, ...owners.map((owner) => ({ owner: owner ?? 'ann' })), { subject: 'someone else' }, { subject: 'bob', order: 'desc' as const }, { from: new Date(T0 + 5_000_000).toISOString(), to: new Date(T0 + 15_000_000).toISOString() }];
        // The rebuilt index takes the columns' arrays as its own: each is given columns of its own.
        for (const rebuilt of [ItemIndex.fromColumns('event', columns(), [file]), ItemIndex.fromColumns('event', { ...columns(), slots: undefined }, [file])]) {
          assert.equal(rebuilt.size, model.size);
          for (const query of queries) assert.deepEqual(rebuilt.select(query), selectItems(all, query), JSON.stringify(query));
          for (const id of new Set([...puts.map((p) => p.id), ...removals])) assert.deepEqual(rebuilt.get(id), model.get(id), id);
          assert.deepEqual(rebuilt.hours(), index.hours());
          assert.equal(rebuilt.count({ owner: 'ann' }), index.count({ owner: 'ann' }));
          // It goes on taking changes: one more of a known id, and a removal.
          const first = all[0];
          if (first) {
            rebuilt.put({ ...first, subject: first.subject ?? null, v: { again: true } });
            assert.deepEqual(rebuilt.get(first.id)?.v, { again: true });
            rebuilt.remove(first.id);
            assert.equal(rebuilt.get(first.id), undefined);
            assert.equal(rebuilt.size, model.size - 1);
          }
        }
        files.closeAll();
      },
    ),
    { numRuns: 150 },
  );
});

test("a name no row uses any more gives its number to the next: an owner's items never become another's", () => {
  const index = new ItemIndex('event');
  const at = (i: number) => new Date(Date.parse('2026-12-07T00:00:00.000Z') + i * 1000).toISOString();
  for (let i = 0; i < 10; i++) index.put(item(`a${i}`, at(i), 'ann', i));
  index.put(item('b0', at(20), 'bob', 0));
  for (let i = 0; i < 10; i++) index.remove(`a${i}`);
  // Ann's number is free now; Cy and a subject of Bob's item take numbers.
  index.put(item('c0', at(30), 'cy', 0));
  index.put({ ...item('b1', at(31), 'bob', 1), subject: 'dee' });
  assert.deepEqual(index.select({ owner: 'ann' }), []);
  assert.deepEqual(index.select({ owner: 'cy' }).map((i) => i.id), ['c0']);
  assert.deepEqual(index.select({ owner: 'bob' }).map((i) => [i.id, i.owner, i.subject]), [['b0', 'bob', 'bob'], ['b1', 'bob', 'dee']]);
  assert.deepEqual(index.select({ subject: 'dee' }).map((i) => i.id), ['b1']);
  assert.deepEqual(index.select({ subject: 'bob' }).map((i) => i.id), ['b0']);
  assert.equal(index.count({ owner: 'ann' }), 0);
});

test("a service's kinds share its names: one kind's removals, compaction and start image leave the other's owners as they were", () => {
  const names = new Names();
  const awards = new ItemIndex('award', names);
  const events = new ItemIndex('event', names);
  const at = (i: number) => new Date(Date.parse('2026-12-07T00:00:00.000Z') + i * 1000).toISOString();
  for (let i = 0; i < 3000; i++) {
    awards.put(item(`a${i}`, at(i), `member-${i % 50}`, i));
    events.put(item(`e${i}`, at(i), `member-${i % 60}`, i));
  }
  // Ann's awards go, and with 2,000 of 3,000 removed the awards compact; her events stay.
  for (let i = 0; i < 3000; i++) if (i % 50 === 0 || i < 2000) awards.remove(`a${i}`);
  for (let i = 3000; i < 3100; i++) awards.put(item(`a${i}`, at(i), `newcomer-${i}`, i));
  const owners = (index: ItemIndex, owner: string) => index.select({ owner }).map((found) => found.id);
  assert.deepEqual(owners(events, 'member-0'), Array.from({ length: 50 }, (_, k) => `e${k * 60}`));
  assert.deepEqual(owners(awards, 'member-0'), []);
  assert.deepEqual(owners(awards, 'newcomer-3050'), ['a3050']);
  assert.deepEqual(owners(events, 'newcomer-3050'), []);
  assert.deepEqual(owners(awards, 'member-7'), ['a2007', 'a2057', 'a2107', 'a2157', 'a2207', 'a2257', 'a2307', 'a2357', 'a2407', 'a2457', 'a2507', 'a2557', 'a2607', 'a2657', 'a2707', 'a2757', 'a2807', 'a2857', 'a2907', 'a2957']);
  // The image holds each kind's own names; read back into another service's names, each answers the same.
  const files = new LineFiles();
  const image = events.columns(() => 0);
  assert.equal(image, null, 'values in no file yet are not imaged');
  const other = new Names();
  other.take('someone-else');
  const placed = new ItemIndex('event', other);
  for (const found of events.select()) placed.put({ ...found, subject: found.subject ?? null }, { file: files.of('/nonexistent'), offset: 0, length: 0 });
  const columns = placed.columns(() => 0)!;
  assert.equal(columns.names.length, 60, "only the kind's own names");
  const restored = ItemIndex.fromColumns('event', columns, [files.of('/nonexistent')], new Names());
  // Read without their values, which are in no file here.
  for (const owner of ['member-0', 'member-59', 'someone-else']) {
    assert.equal(restored.count({ owner }), owners(events, owner).length, owner);
    for (const id of owners(events, owner)) assert.equal(restored.kept(id)?.owner, owner, id);
  }
});

test('values in no file yet are read back as put, through the compactions of their buffer, and a line landing after them is placed', async (t) => {
  const dir = await tempDir(t);
  const files = new LineFiles();
  t.after(() => files.closeAll());
  const index = new ItemIndex('event');
  const model = new Map<string, Item & { subject: string | null }>();
  const at = (i: number) => new Date(Date.parse('2026-12-07T00:00:00.000Z') + i * 1000).toISOString();
  const text = (i: number) => `${'é☕x'.repeat(200 + (i % 300))}${i}`;
  const keeper = { kind: 'event', id: 'keeper', owner: 'bob', subject: 'bob', at: at(0), v: { text: text(0) } };
  let kept: Kept | undefined;
  // About 12 MB of values put, most of them replaced or removed: the buffer compacts several times.
  for (let i = 1; i < 8000; i++) {
    if (i === 300) {
      // A checkpoint takes an item, neither first nor last; its line lands only after the compactions.
      index.put(keeper);
      model.set(keeper.id, keeper);
      kept = index.kept('keeper')!;
    }
    const id = `e${(i * 7919) % 500}`;
    if (i % 5 === 4) {
      index.remove(id);
      model.delete(id);
    } else {
      const put = { kind: 'event', id, owner: 'ann', subject: 'ann', at: at(i), v: { text: text(i) } };
      index.put(put);
      model.set(id, put);
    }
  }
  for (const [id, expected] of model) assert.deepEqual(index.get(id), expected, id);
  assert.equal(index.size, model.size);
  assert.deepEqual(index.select({ owner: 'ann' }), selectItems([...model.values()], { owner: 'ann' }));
  // The line lands: the item is read from its file from then on (the file says otherwise, to show it).
  const line = kept!.line('event');
  const path = join(dir, 'hour.jsonl');
  await writeFile(path, line.replace('"text":"é', '"text":"E') + '\n');
  kept!.placeAt({ file: files.of(path), offset: 0, length: Buffer.byteLength(line.replace('"text":"é', '"text":"E')) });
  assert.equal((index.get('keeper')!.v as { text: string }).text, 'E' + text(0).slice(1), 'placed: read from its line');
});

test('files no row is in any more give up their numbers: an index whose lines move through a thousand files holds a few', async (t) => {
  const dir = await tempDir(t);
  const files = new LineFiles();
  t.after(() => files.closeAll());
  const index = new ItemIndex('event');
  const at = (i: number) => new Date(Date.parse('2026-12-07T00:00:00.000Z') + i * 1000).toISOString();
  const latest = new Map<string, Item>();
  for (let round = 0; round < 1000; round++) {
    // Each round one of ten items changes, and its line lands in a file of its own (as each rewrite makes a new version).
    const put = item(`e${round % 10}`, at(round % 10), 'ann', round);
    index.put(put);
    latest.set(put.id, put);
    const line = index.kept(put.id)!.line('event');
    const path = join(dir, `${round}.jsonl`);
    await writeFile(path, line + '\n');
    index.kept(put.id)!.placeAt({ file: files.of(path), offset: 0, length: Buffer.byteLength(line) });
  }
  for (const [id, expected] of latest) assert.deepEqual(index.get(id), expected, id);
  const numbered = (index as unknown as { lineFiles: { size: number } }).lineFiles.size;
  assert.ok(numbered <= 512, `${numbered} files numbered for 10 rows`);
});
