import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adminFiles } from './admin-access.js';

/**
 * A note left in an embedded store's folder once its whole content was imported into PostgreSQL:
 * from then on the CLI and `serve` refuse that store and say where the data went, so that a key made
 * there by mistake (a command run without --database) cannot be handed out to work nowhere.
 */
export interface Move {
  /** The database, without its password. */
  to: string;
  at: string;
}

const noteOf = (dataFile: string) => join(adminFiles(dataFile).folder, 'moved.json');

export async function markMoved(dataFile: string, to: string, at = new Date()): Promise<void> {
  await mkdir(adminFiles(dataFile).folder, { recursive: true, mode: 0o700 });
  await writeFile(noteOf(dataFile), JSON.stringify({ to, at: at.toISOString() } satisfies Move) + '\n', { mode: 0o600 });
}

export async function movedTo(dataFile: string): Promise<Move | undefined> {
  let text: string;
  try {
    text = await readFile(noteOf(dataFile), 'utf8');
  } catch {
    return undefined;
  }
  const note = JSON.parse(text) as Partial<Move>;
  return typeof note.to === 'string' && typeof note.at === 'string' ? (note as Move) : undefined;
}

/** Refuses an embedded store that was moved, with where the data went and how to go there. */
export async function refuseIfMoved(dataFile: string): Promise<void> {
  const move = await movedTo(dataFile);
  if (!move) return;
  throw new Error(
    `The data of ${dataFile} moved to PostgreSQL (${move.to}) on ${move.at.slice(0, 10)}: use --database or DATABASE_URL ` +
      `(or DATABASE_URL=... in user-badges.env, which every command reads). To use the old copy anyway, remove ${noteOf(dataFile)}.`,
  );
}
