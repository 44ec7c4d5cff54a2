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
 * Every folder is looked at, but the files of a folder only when the folder was not private: an
 * older version made both loose, and a folder is tightened after its files, so a private folder's
 * files were made private or tightened before it. Looking at every file at each start took half a
 * second with a year of hourly item files (issue 25).
 */
export async function keepPrivate(file: string, folder: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: FOLDER_MODE });
  await mkdir(folder, { recursive: true, mode: FOLDER_MODE });
  const siblings = await readdir(dirname(file));
  for (const name of siblings) {
    if (name === basename(file) || name.startsWith(basename(file) + '.')) await tighten(join(dirname(file), name), false);
  }
  await tighten(folder, true);
}

async function tighten(path: string, recurse: boolean): Promise<void> {
  const stats = await lstat(path).catch(() => null);
  if (!stats || stats.isSymbolicLink()) return;
  const mode = stats.mode & 0o777;
  const wanted = stats.isDirectory() ? FOLDER_MODE : FILE_MODE;
  if (recurse && stats.isDirectory()) {
    // Its owner must be able to list it first (a `chmod -R 600` took that away).
    if ((mode & 0o700) !== 0o700) await chmodIfAllowed(path, mode | 0o700);
    const entries = await readdir(path, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) if (entry.isDirectory() || mode !== FOLDER_MODE) await tighten(join(path, entry.name), true);
  }
  if (mode !== wanted) await chmodIfAllowed(path, wanted);
}

async function chmodIfAllowed(path: string, mode: number): Promise<void> {
  await chmod(path, mode).catch((error: NodeJS.ErrnoException) => {
    // Data someone else owns, or a read-only copy: nothing this process could change anyway.
    // ENOENT: gone since it was listed (a starter's private lock socket, a checkpoint's temp file).
    if (!['EPERM', 'EROFS', 'ENOENT'].includes(error.code ?? '')) throw error;
  });
}
