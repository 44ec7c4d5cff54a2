import { isoOf, timeOf } from './item-times.js';

/**
 * JSON-like values packed into one string each: a record that was a tree of objects, arrays and
 * strings (a member with three badges: 35 objects and 843 bytes, and the collector marked every one
 * of them at each full collection) is one string of about 180 bytes (issue 25). Unpacking makes the
 * same value again, with its keys in the same order: `undefined`, -0 and strings that are not
 * well-formed UTF-16 included.
 *
 * The string holds bytes (each character 0-255, which V8 keeps one byte each). Each value starts
 * with a tag byte:
 * - below WORDS, a word of the dictionary by its number: what records repeat (their keys, and the
 *   strings `packer.worded` says are words, such as badge names), up to MAX_WORDS of them;
 * - the constants, numbers, strings, arrays and objects below;
 * - an ISO-8601 time in the core's form (see item-times.ts) as six bytes of milliseconds.
 *
 * The dictionary lives in memory, one per packer, and in the start image beside the records packed
 * with it (item-image.ts): the snapshot files stay JSON.
 */

/** This encoding's version: a start image keeps packed records only for the same one. */
export const PACKING = 1;

const WORDS = 0xb0;
const NULL = 0xb0;
const FALSE = 0xb1;
const TRUE = 0xb2;
const UNDEFINED = 0xb3;
/** A non-negative safe integer as a varint; and the negative ones, negated. */
const UINT = 0xb4;
const NEGATIVE = 0xb5;
/** Any other number, as eight bytes. */
const FLOAT = 0xb6;
/** A time from 1970 on, as six bytes of milliseconds; and any time in the core's form, as a float. */
const TIME = 0xb7;
const TIME_FLOAT = 0xb8;
/** A string of characters below 256: its length, then a byte each; or any string, two bytes each. */
const LATIN1 = 0xb9;
const UTF16 = 0xba;
/** A word whose number is WORDS or more, as a varint. */
const WORD = 0xbb;
const ARRAY = 0xbc;
const OBJECT = 0xbd;
/** Integers 0 to 0xff - SMALL, one byte each: counts and points mostly are. */
const SMALL = 0xc0;

const TIME_SLOTS = 4096;

/** What `seek` answers when no object matched. */
const MISSING = Symbol('missing');
const NOTHING: string[] = [];

/** Beyond it, new strings are written out: no tenant can grow the dictionary without bound. */
const MAX_WORDS = 1 << 16;

export class RecordPacker {
  private readonly dictionary: string[] = [];
  private readonly numbers = new Map<string, number>();
  private bytes = Buffer.allocUnsafe(1024);
  private length = 0;
  private readonly float = new Float64Array(1);
  private readonly floatBytes = new Uint8Array(this.float.buffer);
  private text = '';
  private readonly times = new Float64Array(TIME_SLOTS).fill(NaN);
  private readonly timeTexts = new Array<string>(TIME_SLOTS);
  private at = 0;

  /** `worded(key)`: whether a string under that key (or in an array under it) is a word, as keys always are. */
  constructor(private readonly worded: (key: string) => boolean = () => false) {}

  /** The dictionary, by number: what a start image keeps beside the packed records it holds. */
  words(): string[] {
    return this.dictionary.slice();
  }

  /** Past half its limit: a dictionary worth starting afresh, with only the words in use. */
  crowded(): boolean {
    return this.dictionary.length > MAX_WORDS / 2;
  }

  /** Takes a dictionary kept with packed records; only before anything is packed. */
  restoreWords(words: readonly string[]): boolean {
    if (this.dictionary.length > 0 || words.length > MAX_WORDS || new Set(words).size !== words.length) return false;
    for (const word of words) this.numbers.set(word, this.dictionary.push(word) - 1);
    return true;
  }

  /**
   * The strings that are values of `key`, at any depth of a packed record, without unpacking the
   * rest: a start finds each member's badges so, where unpacking every member cost a tenth of a second.
   */
  stringsUnder(packed: string, key: string): string[] {
    const found: string[] = [];
    this.start(packed);
    try {
      this.scan(key, found);
      this.wholly();
    } finally {
      this.text = '';
    }
    return found;
  }

  /**
   * In the first object, at any depth of a packed record, whose `key` is `value`: its `field`
   * (undefined if it has none); undefined if no object matches. Without unpacking the rest: a
   * revocation reads one award's time of every holder of a badge.
   */
  fieldWhere(packed: string, key: string, value: unknown, field: string): unknown {
    this.start(packed);
    try {
      const found = this.seek(key, value, field);
      return found === MISSING ? undefined : found;
    } finally {
      this.text = '';
    }
  }

  pack(value: unknown): string {
    this.length = 0;
    this.value(value, false);
    return this.bytes.toString('latin1', 0, this.length);
  }

  /** The value packed; throws if `packed` is not one whole record of this packer's. */
  unpack(packed: string): unknown {
    this.start(packed);
    try {
      const value = this.read();
      this.wholly();
      return value;
    } finally {
      this.text = '';
    }
  }

  private start(packed: string): void {
    this.text = packed;
    this.at = 0;
  }

  /**
   * Every read is checked against the record's end and the dictionary's size: a record cut short
   * (a start image's, say) is refused, where reading on would loop for ever in a varint.
   */
  private need(bytes: number): void {
    if (this.at + bytes > this.text.length) throw new Error(`not a packed record: it ends at byte ${this.text.length}, inside a value`);
  }

  private wholly(): void {
    if (this.at !== this.text.length) throw new Error(`not a packed record: ${this.text.length - this.at} bytes after its value`);
  }

  private wordAt(n: number): string {
    if (n >= this.dictionary.length) throw new Error(`not a packed record of this dictionary: word ${n} of ${this.dictionary.length}`);
    return this.dictionary[n]!;
  }

  private value(value: unknown, word: boolean): void {
    switch (typeof value) {
      case 'string':
        return this.string(value, word);
      case 'number':
        return this.number(value);
      case 'boolean':
        return this.byte(value ? TRUE : FALSE);
      case 'undefined':
        return this.byte(UNDEFINED);
      case 'object':
        if (value === null) return this.byte(NULL);
        if (Array.isArray(value)) {
          this.byte(ARRAY);
          this.varint(value.length);
          for (const element of value) this.value(element, word);
          return;
        }
        this.object(value as Record<string, unknown>);
        return;
      default:
        throw new TypeError(`a record cannot hold a ${typeof value}`);
    }
  }

  private object(value: Record<string, unknown>): void {
    const keys = Object.keys(value);
    this.byte(OBJECT);
    this.varint(keys.length);
    for (const key of keys) {
      this.string(key, true);
      this.value(value[key], this.worded(key));
    }
  }

  private string(value: string, word: boolean): void {
    // Only where words are expected: the dictionary holds what repeats, not every member's name.
    if (word) {
      let n = this.numbers.get(value);
      if (n === undefined && this.dictionary.length < MAX_WORDS) {
        n = this.dictionary.push(value) - 1;
        this.numbers.set(value, n);
      }
      if (n !== undefined) return this.word(n);
    }
    const time = timeOf(value);
    if (time === time) {
      if (time >= 0) {
        this.room(7);
        const bytes = this.bytes;
        let at = this.length;
        const low = time % 0x1000000;
        const high = (time - low) / 0x1000000;
        bytes[at++] = TIME;
        bytes[at++] = low & 0xff;
        bytes[at++] = (low >>> 8) & 0xff;
        bytes[at++] = low >>> 16;
        bytes[at++] = high & 0xff;
        bytes[at++] = (high >>> 8) & 0xff;
        bytes[at++] = high >>> 16;
        this.length = at;
      } else {
        this.byte(TIME_FLOAT);
        this.floatOf(time);
      }
      return;
    }
    let latin1 = true;
    for (let i = 0; i < value.length && latin1; i++) latin1 = value.charCodeAt(i) < 256;
    this.byte(latin1 ? LATIN1 : UTF16);
    this.varint(value.length);
    this.room(value.length * 2);
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (latin1) this.bytes[this.length++] = code;
      else {
        this.bytes[this.length++] = code & 0xff;
        this.bytes[this.length++] = code >>> 8;
      }
    }
  }

  private word(n: number): void {
    if (n < WORDS) return this.byte(n);
    this.byte(WORD);
    this.varint(n);
  }

  private number(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      if (value >= 0 && value <= 0xff - SMALL) return this.byte(SMALL + value);
      this.byte(value >= 0 ? UINT : NEGATIVE);
      return this.varint(Math.abs(value));
    }
    this.byte(FLOAT);
    this.floatOf(value);
  }

  private floatOf(value: number): void {
    this.float[0] = value;
    for (let i = 0; i < 8; i++) this.byte(this.floatBytes[i]!);
  }

  /** Seven bits a byte, low first; the high bit says more follow. Safe integers need at most eight. */
  private varint(value: number): void {
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  private byte(value: number): void {
    if (this.length === this.bytes.length) this.room(1);
    this.bytes[this.length++] = value;
  }

  private room(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
  }

  private read(): unknown {
    this.need(1);
    const tag = this.text.charCodeAt(this.at++);
    if (tag < WORDS) return this.wordAt(tag);
    if (tag >= SMALL) return tag - SMALL;
    switch (tag) {
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case UNDEFINED:
        return undefined;
      case UINT:
        return this.readVarint();
      case NEGATIVE:
        return -this.readVarint();
      case FLOAT:
        return this.readFloat();
      case TIME: {
        this.need(6);
        let time = 0;
        for (let i = 5; i >= 0; i--) time = time * 256 + this.text.charCodeAt(this.at + i);
        this.at += 6;
        return this.timeText(time);
      }
      case TIME_FLOAT:
        return this.timeText(this.readFloat());
      case LATIN1: {
        // A slice of the packed string: whoever keeps it for long keeps that record alive too.
        const length = this.readVarint();
        this.need(length);
        this.at += length;
        return this.text.slice(this.at - length, this.at);
      }
      case UTF16: {
        const length = this.readVarint();
        this.need(2 * length);
        const codes = new Array<number>(length);
        for (let i = 0; i < length; i++, this.at += 2) codes[i] = this.text.charCodeAt(this.at) | (this.text.charCodeAt(this.at + 1) << 8);
        let value = '';
        for (let i = 0; i < length; i += 4096) value += String.fromCharCode(...codes.slice(i, i + 4096));
        return value;
      }
      case WORD:
        return this.wordAt(this.readVarint());
      case ARRAY: {
        const length = this.readVarint();
        // A byte at least for each element: a damaged length is refused before an array is made for it.
        this.need(length);
        const array = new Array<unknown>(length);
        for (let i = 0; i < length; i++) array[i] = this.read();
        return array;
      }
      case OBJECT: {
        const count = this.readVarint();
        const object: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.read() as string;
          // As JSON.parse makes it: an own property, where assigning it would set the prototype.
          if (key === '__proto__') Object.defineProperty(object, key, { value: this.read(), enumerable: true, writable: true, configurable: true });
          else object[key] = this.read();
        }
        return object;
      }
      default:
        throw new Error(`not a packed record: tag ${tag} at byte ${this.at - 1}`);
    }
  }

  /**
   * A time's ISO form, from a small cache: formatting one was most of an unpacking's cost, and
   * records repeat theirs (an award's first and latest, the week and the month everyone shares).
   */
  private timeText(time: number): string {
    const slot = (time % TIME_SLOTS) & (TIME_SLOTS - 1);
    if (this.times[slot] === time) return this.timeTexts[slot]!;
    this.times[slot] = time;
    return (this.timeTexts[slot] = isoOf(time));
  }

  /** Reads one value, looking for an object of it whose `key` is `value` (see fieldWhere). */
  private seek(key: string, value: unknown, field: string): unknown {
    const tag = this.text.charCodeAt(this.at);
    if (tag === ARRAY) {
      this.at++;
      for (let i = this.readVarint(); i > 0; i--) {
        const found = this.seek(key, value, field);
        if (found !== MISSING) return found;
      }
      return MISSING;
    }
    if (tag !== OBJECT) {
      // Not an object nor an array: nothing for scan to note.
      this.scan('', NOTHING);
      return MISSING;
    }
    this.at++;
    let matched = false;
    let found: unknown;
    for (let i = this.readVarint(); i > 0; i--) {
      const name = this.read();
      if (name === key) matched = this.read() === value;
      else if (name === field) found = this.read();
      else {
        const inner = this.seek(key, value, field);
        if (inner !== MISSING) return inner;
      }
    }
    return matched ? found : MISSING;
  }

  /** Reads past one value, noting the strings under `key` (see stringsUnder). */
  private scan(key: string, found: string[]): void {
    this.need(1);
    const tag = this.text.charCodeAt(this.at++);
    if (tag < WORDS) {
      this.wordAt(tag);
      return;
    }
    if (tag >= SMALL || tag <= UNDEFINED) return;
    switch (tag) {
      case UINT:
      case NEGATIVE:
        this.readVarint();
        return;
      case FLOAT:
      case TIME_FLOAT:
        this.need(8);
        this.at += 8;
        return;
      case TIME:
        this.need(6);
        this.at += 6;
        return;
      case LATIN1:
      case UTF16: {
        // Read first: `this.at += ...` would add to where `at` was before the length.
        const length = this.readVarint();
        this.need(tag === LATIN1 ? length : 2 * length);
        this.at += tag === LATIN1 ? length : 2 * length;
        return;
      }
      case WORD:
        this.wordAt(this.readVarint());
        return;
      case ARRAY:
        for (let i = this.readVarint(); i > 0; i--) this.scan(key, found);
        return;
      case OBJECT:
        for (let i = this.readVarint(); i > 0; i--) {
          if (this.read() !== key) this.scan(key, found);
          else {
            const value = this.read();
            if (typeof value === 'string') found.push(value);
          }
        }
        return;
      default:
        throw new Error(`not a packed record: tag ${tag} at byte ${this.at - 1}`);
    }
  }

  private readVarint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      this.need(1);
      const byte = this.text.charCodeAt(this.at++);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  private readFloat(): number {
    this.need(8);
    for (let i = 0; i < 8; i++) this.floatBytes[i] = this.text.charCodeAt(this.at++);
    return this.float[0]!;
  }
}
