import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;

/**
 * The data holds every service's key in clear (HMAC verification needs the key itself), so it is
 * readable by the server's user only: files 0600, folders 0700, whatever the umask. New ones are
 * made that way (durable-file.ts, journal.ts); this tightens what an older version left at start.
 * The folder holding `file` is created private but, if it exists, left alone: it may be shared.
 *
 * A folder is tightened after everything in it, so a private data folder means the last pass was
 * finished, and nobody else can reach what lies below it: it is not walked again. Walking every
 * file at each start took half a second with a year of hourly item files (issue 25).
 */
export async function keepPrivate(file: string, folder: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: FOLDER_MODE });
  await mkdir(folder, { recursive: true, mode: FOLDER_MODE });
  const siblings = await readdir(dirname(file));
  for (const name of siblings) {
    if (name === basename(file) || name.startsWith(basename(file) + '.')) await tighten(join(dirname(file), name), false);
  }
  const stats = await lstat(folder);
  if ((stats.mode & 0o777) !== FOLDER_MODE) await tighten(folder, true);
}

async function tighten(path: string, recurse: boolean): Promise<void> {
  const stats = await lstat(path).catch(() => null);
  if (!stats || stats.isSymbolicLink()) return;
  if (recurse && stats.isDirectory()) {
    const names = await readdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    for (const name of names) await tighten(join(path, name), true);
  }
  const mode = stats.isDirectory() ? FOLDER_MODE : FILE_MODE;
  if ((stats.mode & 0o777) !== mode) {
    await chmod(path, mode).catch((error: NodeJS.ErrnoException) => {
      // Data someone else owns, or a read-only copy: nothing this process could change anyway.
      // ENOENT: gone since it was listed (a starter's private lock socket, a checkpoint's temp file).
      if (!['EPERM', 'EROFS', 'ENOENT'].includes(error.code ?? '')) throw error;
    });
  }
}
