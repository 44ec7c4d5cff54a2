import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * One process at a time per data folder: two writers over the same lowdb files would overwrite
 * each other's snapshots. The lock file holds the owner's pid and appears whole or not at all (it
 * is written aside and hard-linked into place), so a reader never mistakes a lock being made for a
 * stale one. A lock whose process is gone (killed) is taken over.
 */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(aside, String(process.pid));
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(aside, file);
        return () => unlink(file).catch(() => {});
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (!Number.isInteger(pid) || pid <= 0) {
        throw new Error(`The lock ${file} is unreadable; if no user-badges process uses ${dirname(file)}, remove it`);
      }
      if (pid !== process.pid && alive(pid)) {
        throw new Error(`The data in ${dirname(file)} is in use by process ${pid}; stop it first (lock: ${file})`);
      }
      await unlink(file).catch(() => {});
    }
    throw new Error(`Could not lock ${file}: another process took it over at the same time`);
  } finally {
    await unlink(aside).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
