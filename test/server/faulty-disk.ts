import { open } from 'node:fs/promises';
import type { OpenSegment } from '../../server/stores/lowdb/journal.js';

export type Fault = 'short write' | 'ENOSPC' | 'EIO on sync';

/**
 * Journal files that fail on cue, as a full or failing disk does: a short write stores the first
 * half of what it is given and reports that, without an error (as the kernel does when space runs
 * out mid-write); ENOSPC stores nothing; EIO fails the sync after a complete write.
 */
export class FaultyDisk {
  fault: Fault | null = null;
  writes = 0;

  readonly open: OpenSegment = async (path) => {
    const handle = await open(path, 'a', 0o600);
    return {
      write: async (buffer, offset, length) => {
        this.writes++;
        if (this.fault === 'ENOSPC') throw errno('ENOSPC', 'no space left on device');
        if (this.fault === 'short write') return handle.write(buffer, offset, Math.floor(length / 2));
        return handle.write(buffer, offset, length);
      },
      datasync: async () => {
        if (this.fault === 'EIO on sync') throw errno('EIO', 'i/o error');
        await handle.datasync();
      },
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  };
}

/**
 * Resolves on the store's next `onRecover`. The store's retry timer does not hold the process open,
 * so the wait does, and fails after `ms`.
 */
export function recoveries(ms = 20_000) {
  let waiting: (() => void)[] = [];
  return {
    onRecover: () => {
      for (const resolve of waiting) resolve();
      waiting = [];
    },
    next: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no recovery within ${ms} ms`)), ms);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${message}, write`);
  error.code = code;
  return error;
}
