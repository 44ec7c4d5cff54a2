import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, mkdir, readFile, rename, unlink } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import type { Stats } from 'node:fs';
import { dirname, relative } from 'node:path';

/**
 * One process at a time per data folder: two writers over the same lowdb files would overwrite
 * each other's snapshots.
 *
 * The lock is a Unix socket the owner listens on, so the kernel releases it when the owner dies,
 * however it dies: a connection succeeds while the owner lives (even stopped or swamped) and is
 * refused once it is gone, zombie or not, whoever has its pid now. The owner answers a connection
 * with its pid, for the message that refuses a second server.
 *
 * Taking it: listen on a private name, then hard-link that into place (atomic: fails if a lock
 * exists). A dead lock's file stays behind and must be replaced, and two starters may find it dead
 * at once; only the one that first links its socket to `<lock>.break.<inode of the dead file>`
 * replaces it (that breaker is itself such a lock, so a starter that dies while holding it is
 * handled the same way), and it checks again, under the breaker, that the dead file is still there.
 * A regular file there is the pid lock of an older version and is judged by its pid.
 */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const own = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const server = await listen(own);
  const mine = (await lstat(own)).ino;
  try {
    await claim(file, own, mine);
  } catch (error) {
    await close(server);
    throw error;
  } finally {
    await unlink(own).catch(() => {});
  }
  // Like every file in the data folder (see permissions.ts); bind made it by the umask.
  await chmod(file, 0o600).catch(() => {});
  return async () => {
    // Never remove a lock this process no longer holds.
    if ((await lstat(file).catch(() => null))?.ino === mine) await unlink(file).catch(() => {});
    await close(server);
  };
}

/** Makes `target` name our socket, or throws if a live process holds it. */
async function claim(target: string, own: string, mine: number): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await link(own, target);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const found = await lstat(target).catch(() => null);
    if (!found) continue;
    if (found.ino === mine) return;
    const owner = await probe(target, found);
    // A lock of this very process is one a crash test left open, as the pid lock always allowed.
    if (owner.live && owner.pid !== process.pid) {
      throw new Error(`The data in ${dirname(target)} is in use by process ${owner.pid ?? '(unknown)'}; stop it first (lock: ${target})`);
    }
    const breaker = `${target}.break.${found.ino}`;
    await claim(breaker, own, mine);
    try {
      const still = await lstat(target).catch(() => null);
      const again = still?.ino === found.ino ? await probe(target, still) : null;
      if (again && (!again.live || again.pid === process.pid)) {
        const replacement = `${own}.new`;
        await link(own, replacement);
        await rename(replacement, target).finally(() => unlink(replacement).catch(() => {}));
      }
    } finally {
      if ((await lstat(breaker).catch(() => null))?.ino === mine) await unlink(breaker).catch(() => {});
    }
  }
  throw new Error(`Could not lock ${target}: other processes kept changing it`);
}

/** Whether the holder of a lock file lives, and its pid if it says. */
async function probe(path: string, stats: Stats): Promise<{ live: boolean; pid?: number }> {
  if (!stats.isSocket()) return probeLegacy(path);
  return new Promise((resolve, reject) => {
    let connected = false;
    let text = '';
    const socket = connect(socketPath(path));
    // Accepted but silent: the owner lives but does not run (stopped, or busy for this long).
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ live: true });
    }, 2000);
    socket.setEncoding('utf8');
    socket.on('connect', () => (connected = true));
    socket.on('data', (chunk: string) => (text += chunk));
    // A live owner answers with its pid. Closed without one: the owner died with this connection
    // waiting (a killed process's threads may still be exiting, its socket still open, after its
    // main thread is already a zombie), so it will never answer.
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      const pid = Number(text) || undefined;
      resolve({ live: pid !== undefined, pid });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // ECONNREFUSED: nobody listens, the owner is dead. ECONNRESET: the owner's socket closed with
      // this connection still in its backlog, as a dying process's does (a live owner answers with
      // its pid). ENOENT: the file went meanwhile.
      if (connected || ['ECONNREFUSED', 'ECONNRESET', 'ENOENT'].includes(error.code ?? '')) resolve({ live: false });
      // A full backlog: somebody listens.
      else if (error.code === 'EAGAIN') resolve({ live: true });
      else reject(error);
    });
  });
}

/** The lock file of an older version: the owner's pid, written whole (aside, then linked). */
async function probeLegacy(path: string): Promise<{ live: boolean; pid?: number }> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new Error(`The lock ${path} is unreadable; if no user-badges process uses ${dirname(path)}, remove it`);
  }
  try {
    process.kill(pid, 0);
    return { live: true, pid };
  } catch (error) {
    return { live: (error as NodeJS.ErrnoException).code === 'EPERM', pid };
  }
}

function listen(path: string): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end(String(process.pid));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath(path), () => {
      server.off('error', reject);
      server.unref();
      resolve(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Socket addresses hold at most 107 bytes; a deep data folder is reached relative to the working folder. */
function socketPath(path: string): string {
  const limit = process.platform === 'linux' ? 107 : 103;
  if (Buffer.byteLength(path) <= limit) return path;
  const near = relative(process.cwd(), path);
  if (Buffer.byteLength(near) <= limit) return near;
  throw new Error(`The lock ${path} is too long a path for a Unix socket (${limit} bytes at most); use a data folder with a shorter path`);
}
