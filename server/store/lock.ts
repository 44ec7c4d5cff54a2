import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * One process at a time per data folder: two writers over the same lowdb files would overwrite
 * each other's snapshots. A lock left by a killed process (its pid gone) is taken over.
 */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(file).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(file, 'utf8').catch(() => ''));
      if (pid && pid !== process.pid && alive(pid)) {
        throw new Error(`The data in ${dirname(file)} is in use by process ${pid}; stop it first (lock: ${file})`);
      }
      await unlink(file).catch(() => {});
    }
  }
  throw new Error(`Could not lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
