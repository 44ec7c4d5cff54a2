import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { UserRecord } from '../../server/core/model.js';
import { RecordPacker } from '../../server/stores/lowdb/packed-records.js';
import { PackedUsers, userPacker } from '../../server/stores/lowdb/packed-users.js';
import { State } from '../../server/stores/lowdb/state.js';
import { ItemIndex } from '../../server/stores/lowdb/item-index.js';
import { Names } from '../../server/stores/lowdb/names.js';

/**
 * The embedded store keeps each user's record packed into one string (issue 25). Unpacking must
 * give back the very value packed, as a reader of it can tell: its keys in their order, -0, an
 * undefined property, a `__proto__` key, strings that are not well-formed UTF-16.
 */

/** A value as a reader can tell it apart: kinds, key order, -0 and undefined spelled out. */
function described(value: unknown): unknown {
  if (value === undefined) return ['undefined'];
  if (typeof value === 'number') return Object.is(value, -0) ? ['-0'] : ['number', value];
  if (value === null || typeof value !== 'object') return [typeof value, value];
  if (Array.isArray(value)) return ['array', value.map(described)];
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  return ['object', Object.keys(value).map((key) => [key, described((value as Record<string, unknown>)[key])])];
}

const times = fc
  .date({ min: new Date('1000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const strings = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('\ud800', '\udc00', 'a', 'é', '\u00ff', '\u0100') }), times, fc.constantFrom('badge', 'latest', '__proto__', ''));
const numbers = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double(), fc.constantFrom(-0, 0, 47, 48, 63, 64, 127, 128, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE));
const { value: values } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    strings,
    numbers,
    fc.constantFrom(null, true, false, undefined),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.array(fc.tuple(strings, tie('value')), { maxLength: 6 }).map((entries) => {
      const object: Record<string, unknown> = {};
      for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      return object;
    }),
  ),
}));

/** The strings that are values of `key` at any depth, in order: what stringsUnder finds without unpacking. */
function stringsUnder(value: unknown, key: string, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const element of value) stringsUnder(element, key, found);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k !== key) stringsUnder(v, key, found);
      else if (typeof v === 'string') found.push(v);
    }
  }
  return found;
}

/** fieldWhere as a walk of the value: depth first, in order; an object matches once all its entries are read. */
function fieldWhere(value: unknown, key: string, wanted: unknown, field: string): { found: unknown } | undefined {
  if (Array.isArray(value)) {
    for (const element of value) {
      const found = fieldWhere(element, key, wanted, field);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  let matched = false;
  let found: unknown;
  for (const [k, v] of Object.entries(value)) {
    if (k === key) matched = v === wanted;
    else if (k === field) found = v;
    else {
      const inner = fieldWhere(v, key, wanted, field);
      if (inner) return inner;
    }
  }
  return matched ? { found } : undefined;
}

test('any JSON-like value unpacks as it was packed, whatever the dictionary held before; its strings under a key are found without unpacking', () => {
  const packer = new RecordPacker((key) => key.length % 2 === 0);
  fc.assert(
    fc.property(values, strings, (value, key) => {
      const packed = packer.pack(value);
      for (let i = 0; i < packed.length; i++) assert.ok(packed.charCodeAt(i) < 256, 'a packed record is bytes');
      assert.deepEqual(described(packer.unpack(packed)), described(value));
      assert.deepEqual(packer.stringsUnder(packed, key), stringsUnder(value, key));
      assert.deepEqual(packer.stringsUnder(packed, 'badge'), stringsUnder(value, 'badge'));
      const wanted = stringsUnder(value, key)[0];
      assert.deepEqual(described(packer.fieldWhere(packed, key, wanted, 'latest')), described(fieldWhere(value, key, wanted, 'latest')?.found));
    }),
    { numRuns: 3000 },
  );
});

test('a dictionary restored from another packer unpacks its records; it is refused once words are in use, or with a word twice', () => {
  const first = new RecordPacker(() => true);
  const packed = first.pack({ badge: 'gold', list: ['silver', 'gold'], n: 3 });
  const second = new RecordPacker(() => true);
  assert.equal(second.restoreWords(first.words()), true);
  assert.deepEqual(second.unpack(packed), { badge: 'gold', list: ['silver', 'gold'], n: 3 });
  assert.equal(second.restoreWords(first.words()), false, 'not over words in use');
  assert.equal(new RecordPacker().restoreWords(['a', 'b', 'a']), false);
});

test('a record packed early unpacks the same after the dictionary has filled up, and strings past its limit are written out', () => {
  const packer = new RecordPacker(() => true);
  const early = { badge: 'gold', list: ['silver', 'bronze'] };
  const packedEarly = packer.pack(early);
  const many = Array.from({ length: 70_000 }, (_, i) => `badge-${i}`);
  const packedMany = packer.pack({ many });
  assert.deepEqual(packer.unpack(packedMany), { many });
  assert.deepEqual(packer.unpack(packedEarly), early);
  // Past the limit, a new string costs its bytes; a word from before it still costs one or a few.
  assert.ok(packer.pack({ badge: 'a-new-badge-name-after-the-limit' }).length > 30);
  assert.ok(packer.pack({ badge: 'gold' }).length < 6);
});

test("a member with three badges is about a fifth of its JSON, and a read gets a record of its own", () => {
  const award = (badge: string, at: string) => ({
    badge,
    count: 1,
    first: at,
    latest: at,
    points: 5,
    recent: { week: '2026-12-07T00:00:00.000Z', weekCount: 1, weekPoints: 5, month: '2026-12-01T00:00:00.000Z', monthCount: 1, monthPoints: 5 },
  });
  const user: UserRecord = {
    name: 'member-12345',
    createdAt: '2026-12-07T17:12:18.669Z',
    awards: [award('first-post', '2026-12-07T17:12:18.669Z'), award('commenter', '2026-12-07T17:12:19.001Z'), award('helpful', '2026-12-07T17:13:00.250Z')],
  };
  const users = new PackedUsers(userPacker());
  const member = users.set(user.name, user);
  const packed = users.packedOf(user.name)!;
  assert.ok(packed.length * 4 < JSON.stringify(user).length, `${packed.length} bytes packed, ${JSON.stringify(user).length} of JSON`);
  assert.equal(users.lineOf(packed), JSON.stringify(user));
  assert.equal(users.latestOf(member, 'commenter'), '2026-12-07T17:12:19.001Z');
  assert.equal(users.latestOf(member, 'gold'), undefined);
  assert.equal(users.latestOf(member + 1, 'commenter'), undefined, 'no member of that number');
  assert.equal(users.numberOf(user.name), member);
  assert.equal(users.nameOf(member), user.name);
  const read = users.get(user.name)!;
  assert.deepEqual(read, user);
  read.awards.pop();
  read.name = 'changed';
  assert.deepEqual(users.get(user.name), user);
  assert.deepEqual([...users.keys()], [user.name]);
  assert.deepEqual([...users.values()], [user]);
  users.delete(user.name);
  assert.equal(users.get(user.name), undefined);
  assert.equal(users.size, 0);
});

test("users are numbered in the service's names, which its items share, each name while anything uses it", () => {
  const names = new Names();
  const users = new PackedUsers(userPacker(), names);
  const index = new ItemIndex('activity', names);
  const user = (name: string): UserRecord => ({ name, createdAt: '2026-12-07T17:12:18.669Z', awards: [] });
  index.put({ kind: 'activity', id: 'a1', owner: 'ann', subject: 'ann', at: '2026-12-07T17:12:18.669Z', v: {} });
  const ann = users.set('ann', user('ann'));
  assert.equal(names.find('ann'), ann, "ann's items and ann are one number");
  assert.equal(users.numberOf('service'), undefined);
  users.delete('ann');
  assert.equal(users.has('ann'), false);
  assert.equal(users.numberOf('ann'), undefined);
  assert.equal(index.get('a1')?.owner, 'ann', 'her items keep her name');
  const bob = users.set('bob', user('bob'));
  assert.notEqual(bob, ann, 'a number still in use is not given to another');
  index.remove('a1');
  const cy = users.set('cy', user('cy'));
  assert.equal(cy, ann, 'a number nothing uses goes to the next new name');
  assert.equal(users.nameOf(cy), 'cy');
  assert.equal(users.get('cy')?.name, 'cy');
  assert.deepEqual([...users.keys()].sort(), ['bob', 'cy']);
  assert.equal(users.size, 2);
  users.set('cy', { ...user('cy'), hidden: ['gold'] });
  assert.equal(users.size, 2, 'a change is not a second user');
  assert.deepEqual(users.get('cy')?.hidden, ['gold']);
});

test('a record cut short, with bytes after it, or naming a word the dictionary lacks is refused, not read on for ever', { timeout: 10_000 }, () => {
  const packer = userPacker();
  const user: UserRecord = { name: 'ann', createdAt: '2026-12-07T17:12:18.669Z', awards: [{ badge: 'gold', count: 300, first: '2026-12-07T17:12:18.669Z', latest: '2026-12-07T17:12:18.669Z', points: 1.5 }], hidden: ['gold'] };
  const packed = packer.pack(user);
  for (let end = 0; end < packed.length; end++) {
    const cut = packed.slice(0, end);
    assert.throws(() => packer.unpack(cut), /not a packed record/, `cut at byte ${end}`);
    assert.throws(() => packer.stringsUnder(cut, 'badge'), /not a packed record/, `cut at byte ${end}`);
  }
  assert.throws(() => packer.unpack(packed + '\u00c1'), /bytes after its value/);
  assert.throws(() => packer.stringsUnder(packed + '\u00c1', 'badge'), /bytes after its value/);
  // A varint whose every byte says more follow, to the end of the record.
  assert.throws(() => packer.unpack('\u00bc\u0080\u0080'), /not a packed record/);
  assert.throws(() => packer.fieldWhere('\u00bc\u0080', 'badge', 'gold', 'latest'), /not a packed record/);
  // An array of 2^40 elements in a record of four bytes.
  assert.throws(() => packer.unpack('\u00bc\u0080\u0080\u0080\u0080\u0080\u0010'), /not a packed record/);
  // Word 0xaf of a dictionary of a few words.
  assert.throws(() => packer.unpack('\u00af'), /word 175 of/);
  assert.throws(() => new RecordPacker().stringsUnder('\u00bd\u0001\u0000\u00c0', 'badge'), /word 0 of 0/);
  assert.deepEqual(packer.unpack(packed), user, 'the whole record still reads');
});

test("each badge's holders follow the members' records as members come, change and go, their numbers given again", async () => {
  const badges = ['gold', 'silver', 'bronze'];
  fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.subarray(badges), fc.boolean()), { maxLength: 120 }), async (steps) => {
      const state = new State();
      state.apply({ t: 'service', v: { name: 'shop', key: 'k', createdAt: '2026-12-07T00:00:00.000Z' } });
      const model = new Map<string, UserRecord>();
      steps.forEach(([n, held, remove], step) => {
        const name = `member-${n}`;
        if (remove) {
          state.apply({ t: 'user-', s: 'shop', n: name });
          model.delete(name);
          return;
        }
        const at = new Date(Date.parse('2026-12-07T00:00:00.000Z') + step * 1000).toISOString();
        const user: UserRecord = { name, createdAt: at, awards: held.map((badge) => ({ badge, count: 1, first: at, latest: at })) };
        state.apply({ t: 'user', s: 'shop', v: user });
        model.set(name, user);
      });
      for (const badge of badges) {
        const holding = [...model.values()].filter((user) => user.awards.some((award) => award.badge === badge));
        assert.deepEqual((await state.holders('shop', badge)).sort(), holding.map((user) => user.name).sort(), badge);
        const latest = holding.map((user) => user.awards.find((award) => award.badge === badge)!.latest).sort().at(-1) ?? null;
        assert.equal(await state.latestAward('shop', badge), latest, `latest ${badge}`);
      }
    }),
  );
});
