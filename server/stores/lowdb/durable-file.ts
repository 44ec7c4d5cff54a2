import { open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * A lowdb adapter that never leaves a half-written file: it writes compact JSON to a temporary file,
 * fsyncs it, renames it over the old one and fsyncs the folder, so after a crash the file holds either
 * the old or the new data. lowdb's own JSONFile renames too, but does not fsync.
 */
export class DurableJSONFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`${this.file} is not valid JSON (${(error as Error).message}); refusing to start over it`);
    }
  }

  async write(data: T): Promise<void> {
    await this.writeText(JSON.stringify(data));
  }

  /** Writes JSON serialised already (it must read back as a T), with the same guarantees. */
  async writeText(text: string): Promise<void> {
    await writeDurably(this.file, (handle) => handle.writeFile(text));
  }
}

/**
 * Writes a file so that after a crash it holds either the old or the new bytes: `write` fills a
 * temporary file, which is fsynced and renamed over `file`, and the folder fsynced.
 */
export async function writeDurably(file: string, write: (handle: FileHandle) => Promise<unknown>): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  // Private: the data holds every service's key (see permissions.ts).
  const handle = await open(temporary, 'w', 0o600);
  try {
    await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
  await syncFolder(dirname(file));
}

/** Temporary files that a crash cut short (`writeDurably`'s, a snapshot's): the files they were to replace are intact. */
export async function removeLeftovers(folder: string, files: readonly string[]): Promise<void> {
  for (const file of files) if (file.endsWith('.tmp')) await unlink(join(folder, file)).catch(() => {});
}

/** `writeDurably`'s temporary files of `file` that a crash left. */
export async function removeLeftoversOf(file: string): Promise<void> {
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  await removeLeftovers(dirname(file), names.filter((name) => name.startsWith(`${basename(file)}.`)));
}

/** Makes a rename or a new file in the folder durable. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
