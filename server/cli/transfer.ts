import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { composeDomain } from '../app/domain.js';
import { openStore } from '../stores/index.js';
import { exportStore } from '../transfer/export.js';
import { ImportError, importStore } from '../transfer/import.js';

export interface TransferOptions {
  dataFile: string;
  database?: string;
  service?: string;
  out?: string;
}

/** A line that rewrites itself on a terminal and says nothing in a pipe or a log. */
function progressLine(): { show: (text: string) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let shown = false;
  return {
    show: (text) => {
      if (!tty) return;
      process.stderr.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    done: () => shown && process.stderr.write('\n'),
  };
}

/** `user-badges export [--service NAME] [--out FILE]`: to standard output unless --out. */
export async function exportCommand(options: TransferOptions): Promise<number> {
  const store = await openStore({ file: options.dataFile, database: options.database });
  const out: Writable = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout;
  const progress = progressLine();
  try {
    const counts = await exportStore(store, out, {
      service: options.service,
      progress: (service, done, total) => progress.show(`${service}: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} users`),
    });
    if (out !== process.stdout) {
      out.end();
      await finished(out);
    }
    progress.done();
    console.error(`Exported ${counts.services} services, ${counts.badges} badges, ${counts.users} users, ${counts.items} items`);
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `user-badges import FILE` (or - for standard input): into services that do not exist yet, all of
 * the file or nothing. A file that cannot be imported exits 2 with the line and field at fault.
 */
export async function importCommand(file: string, options: TransferOptions): Promise<number> {
  const store = await openStore({ file: options.dataFile, database: options.database });
  const progress = progressLine();
  try {
    const input = file === '-' ? process.stdin : createReadStream(file);
    let counts;
    try {
      counts = await importStore(composeDomain(store, { actor: { type: 'cli', command: 'import' } }), store, input, { progress: (lines) => progress.show(`${lines.toLocaleString('en')} lines read`) });
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      // The file's fault, not the command's: nothing was imported, and the message says where.
      progress.done();
      console.error(`user-badges import: ${error.message}; nothing was imported`);
      return 2;
    }
    progress.done();
    console.error(`Imported ${counts.services} services, ${counts.badges} badges, ${counts.users} users, ${counts.items} items`);
    return 0;
  } finally {
    await store.close();
  }
}
