import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Where an item's line lies in a snapshot file, so its value need not stay in memory once it is
 * there (issue 25: a service's values were most of its heap). The file is read at the offset when
 * the item is read: a system call of a few microseconds, from the page cache for the items a site
 * reads often.
 */
export interface Place {
  file: LineFile;
  offset: number;
  length: number;
}

/** At most this many snapshot files are held open for reads: a year of hourly files would be thousands. */
const OPEN_FILES = 32;

/** Lines read together (readMany) may be this far apart, and span this much. */
const GAP = 64 * 1024;
const SPAN = 8 << 20;

/**
 * One version of a snapshot file: the lines a checkpoint wrote in it stay where they are until the
 * file is rewritten, and a rewrite makes a new version (see `LineFiles.replaced`). The version being
 * replaced keeps its descriptor open until every live line has its new place, so a read meanwhile
 * sees the old file, whatever the path holds by then.
 */
export class LineFile {
  fd: number | null = null;
  pinned = false;
  /** Another version took the path: this one's descriptor is the only way left to its lines. */
  retired = false;

  constructor(
    readonly path: string,
    private readonly files: LineFiles,
  ) {}

  /** The line at `offset`, `length` bytes without its newline. */
  read(offset: number, length: number): string {
    return this.bytes(offset, length).toString('utf8');
  }

  /**
   * The lines at `places`, in the order given, read in a few reads of neighbouring lines: in order
   * of their offsets, one read for each run of lines less than GAP apart, of at most SPAN bytes.
   */
  readMany(places: readonly { offset: number; length: number }[]): string[] {
    const lines = new Array<string>(places.length);
    const order = Array.from(places.keys()).sort((a, b) => places[a]!.offset - places[b]!.offset);
    for (let start = 0; start < order.length; ) {
      const first = places[order[start]!]!.offset;
      let last = first + places[order[start]!]!.length;
      let end = start + 1;
      for (; end < order.length; end++) {
        const next = places[order[end]!]!;
        if (next.offset - last > GAP || next.offset + next.length - first > SPAN) break;
        last = Math.max(last, next.offset + next.length);
      }
      const bytes = this.bytes(first, last - first);
      for (let j = start; j < end; j++) {
        const { offset, length } = places[order[j]!]!;
        lines[order[j]!] = bytes.toString('utf8', offset - first, offset - first + length);
      }
      start = end;
    }
    return lines;
  }

  /** `length` bytes from `offset`. */
  bytes(offset: number, length: number): Buffer {
    const fd = this.files.open(this);
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const read = readSync(fd, buffer, done, length - done, offset + done);
      if (read === 0) throw new Error(`${this.path} ends before byte ${offset + length}: a snapshot file changed under the running store`);
      done += read;
    }
    return buffer;
  }
}

/** The snapshot files items are read back from: one current version per path, a few held open. */
export class LineFiles {
  private readonly current = new Map<string, LineFile>();
  /** Open versions, least recently read first. */
  private readonly open_ = new Set<LineFile>();

  /** The current version of `path`. */
  of(path: string): LineFile {
    let file = this.current.get(path);
    if (!file) this.current.set(path, (file = new LineFile(path, this)));
    return file;
  }

  /** `path` is about to be replaced: its current version stays readable until `replaced` or `kept`. */
  replacing(path: string): LineFile | undefined {
    const file = this.current.get(path);
    if (file) {
      this.open(file);
      file.pinned = true;
    }
    return file;
  }

  /** The replacement is durable: a new version takes the path, and the old one closes once its lines have moved. */
  replaced(path: string): LineFile {
    const old = this.current.get(path);
    if (old) old.retired = true;
    const file = new LineFile(path, this);
    this.current.set(path, file);
    return file;
  }

  /** The old version's lines all have their new places (or the replacement failed): it may close. */
  release(file: LineFile | undefined): void {
    if (!file) return;
    file.pinned = false;
    if (file.retired) this.close(file);
  }

  /** Files removed (a service gone, an emptied hour): nothing live is read from them. */
  forgetUnder(prefix: string): void {
    for (const [path, file] of this.current) {
      if (!path.startsWith(prefix)) continue;
      this.current.delete(path);
      file.retired = true;
      if (!file.pinned) this.close(file);
    }
  }

  closeAll(): void {
    for (const file of [...this.open_]) this.close(file);
  }

  /** The file's descriptor, opening it (and closing the least recently read other) if need be. */
  open(file: LineFile): number {
    if (file.fd !== null) {
      this.open_.delete(file);
      this.open_.add(file);
      return file.fd;
    }
    // Opening a retired version by its path would read another file's bytes at these offsets.
    if (file.retired) throw new Error(`${file.path}: a line of a replaced version of the file was read`);
    file.fd = openSync(file.path, 'r');
    this.open_.add(file);
    if (this.open_.size > OPEN_FILES) {
      for (const other of this.open_) {
        if (other.pinned || other === file) continue;
        this.close(other);
        break;
      }
    }
    return file.fd;
  }

  private close(file: LineFile): void {
    if (file.fd === null) return;
    this.open_.delete(file);
    const fd = file.fd;
    file.fd = null;
    try {
      closeSync(fd);
    } catch {
      // Closing a descriptor for reading loses nothing.
    }
  }
}
