import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grownColumn, newColumn } from '../../server/stores/lowdb/grown-column.js';

/**
 * The embedded store's columns grow by copying while small, and in place once large (issue 25): a
 * resizable ArrayBuffer that reserves address space, so no large copy is left behind in malloc's heap.
 */
test('a column keeps its elements as it grows, small or large, and a large one grows in place', () => {
  let column = new Float64Array(16);
  const expected: number[] = [];
  const buffers = new Set<ArrayBuffer>();
  for (let length = 16; length < 600_000; length = Math.ceil(length * 1.5)) {
    for (let i = expected.length; i < column.length; i++) {
      column[i] = i * 1.5;
      expected.push(i * 1.5);
    }
    const before = column;
    column = grownColumn(column, Math.ceil(length * 1.5));
    assert.equal(column.length, Math.ceil(length * 1.5));
    assert.deepEqual(Array.from(column.subarray(0, expected.length)), expected);
    assert.deepEqual(Array.from(before), expected.slice(0, before.length), 'the old view still reads');
    if (column.byteLength >= 1 << 20) buffers.add(column.buffer);
  }
  assert.equal(buffers.size, 1, 'past 1 MB, one buffer, grown in place');
  const [buffer] = buffers as unknown as [{ resizable: boolean }];
  assert.equal(buffer.resizable, true);
});

test('columns of every kind, and views that do not start their buffer, grow', () => {
  for (const Kind of [Int32Array, Uint32Array, Uint8Array, Float64Array]) {
    const whole = new Kind(400_000);
    whole.forEach((_, i) => (whole[i] = i % 200));
    const part = whole.subarray(10);
    // Past 1 MB for every kind of element.
    const grown = grownColumn(part, 1_500_000);
    assert.equal(grown.length, 1_500_000);
    assert.equal(grown[0], 10 % 200);
    assert.equal(grown[399_989], 399_999 % 200);
    assert.equal(grown[1_499_999], 0);
    const again = grownColumn(grown, 2_500_000);
    assert.ok(again.buffer === grown.buffer, `${Kind.name}: grown in place`);
    assert.equal(again[399_989], 399_999 % 200);
    assert.equal(again.length, 2_500_000);
  }
});

test('a new column is zeroed, of its own memory from 1 MB on, and can grow in place', () => {
  const small = newColumn(Int32Array, 1000);
  assert.equal((small.buffer as unknown as { resizable: boolean }).resizable, false);
  const large = newColumn(Float64Array, 200_000);
  assert.equal(large.length, 200_000);
  assert.equal((large.buffer as unknown as { resizable: boolean }).resizable, true);
  assert.ok(large.every((x) => x === 0));
  large[199_999] = 5;
  const grown = grownColumn(large, 300_000);
  assert.ok(grown.buffer === large.buffer, 'grown in place');
  assert.equal(grown[199_999], 5);
  assert.equal(grown[299_999], 0);
});
