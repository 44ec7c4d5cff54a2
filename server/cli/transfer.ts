import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { composeDomain } from '../app/domain.js';
import { redactUrl } from '../config/settings.js';
import { exportStore } from '../transfer/export.js';
import { ImportError, importStore } from '../transfer/import.js';
import { STORE_FLAGS, serverOption, type Call, type Command } from './command.js';
import { markMoved } from './moved.js';
import { findTarget, openOwnStore } from './target.js';

const SECRETS_NOTICE =
  "The export holds every service's key, the scoped keys and the webhook signing secrets: keep it as you keep the keys (--without-secrets leaves them out).";

/** `export` and `import`: a store, or one service, as JSON Lines, and back. */
export const transferCommands: Command[] = [
  {
    name: 'export',
    summary: 'Write the store (or one service) as JSON Lines, to stdout unless --out; works while serve runs',
    details: [
      'The export is one consistent snapshot. While serve runs on the embedded store it comes through the server (its admin API), which holds writes back while it is written; on PostgreSQL it is read in one transaction beside the servers. So a backup needs no downtime.',
      SECRETS_NOTICE.replace(' (--without-secrets leaves them out)', ''),
    ],
    options: {
      service: { type: 'string', placeholder: 'NAME', help: 'Only this service' },
      out: { type: 'string', placeholder: 'FILE', help: 'Write to this file (mode 0600) instead of stdout' },
      'without-secrets': { type: 'boolean', help: 'Leave out service keys, scoped keys and webhook signing secrets; an import makes new ones' },
      ...serverOption(),
    },
    flags: STORE_FLAGS,
    examples: ['user-badges export --out backup.jsonl', 'user-badges export --service demo --without-secrets > demo.jsonl'],
    run: exportCommand,
  },
  {
    name: 'import',
    args: [{ name: 'FILE', what: 'the FILE to load (- for stdin)' }],
    summary: 'Load an export (FILE, or - for stdin) into services that do not exist yet',
    details: [
      'Importing a whole embedded store into PostgreSQL on the machine that holds it moves it: the old store is marked, and from then on commands and serve refuse it and say where the data went (--copy: a copy, the old store stays in use).',
      'An export made --without-secrets gives its services new keys and its webhook endpoints new signing secrets.',
    ],
    options: { copy: { type: 'boolean', help: 'A copy, not a move: the embedded store it came from stays in use (not marked as moved)' } },
    flags: STORE_FLAGS,
    examples: ['user-badges import backup.jsonl --database postgres://badges@db/badges'],
    run: importCommand,
  },
];

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

async function exportCommand(call: Call): Promise<number> {
  const { settings, options } = call;
  const service = options.service as string | undefined;
  const withoutSecrets = options['without-secrets'] === true;
  const out: Writable = options.out ? createWriteStream(options.out as string, { mode: 0o600 }) : process.stdout;
  const target = await findTarget(settings, options.server as string | undefined);
  let counts: { services: number; badges: number; users: number; items: number; secrets: boolean };
  if (target.kind === 'server') {
    counts = await exportThrough(target.url, target.token, out, service, withoutSecrets);
  } else {
    const progress = progressLine();
    try {
      counts = await exportStore(target.store, out, {
        service,
        withoutSecrets,
        from: settings.databaseUrl ? undefined : { store: 'embedded', file: resolve(settings.dataFile), host: hostname() },
        progress: (name, done, total) => progress.show(`${name}: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} users`),
      });
      if (out !== process.stdout) out.end();
      progress.done();
    } finally {
      await target.store.close();
    }
  }
  if (out !== process.stdout) await finished(out);
  console.error(`Exported ${counts.services} services, ${counts.badges} badges, ${counts.users} users, ${counts.items} items${target.kind === 'server' ? ` through the server at ${target.url}` : ''}`);
  if (counts.secrets) console.error(SECRETS_NOTICE);
  return 0;
}

/** The export of the server that owns the data, copied to `out` and counted on the way. */
async function exportThrough(server: string, token: string, out: Writable, service: string | undefined, withoutSecrets: boolean) {
  const query = new URLSearchParams({ ...(service ? { service } : {}), ...(withoutSecrets ? { secrets: 'off' } : {}) });
  let response: Response;
  try {
    response = await fetch(new URL(`/admin/export?${query}`, server), { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new Error(`Cannot reach the server at ${server}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  if (!response.ok || !response.body) {
    const answer = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(answer?.error?.message ?? `The server answered ${response.status}`);
  }
  const counts = { services: 0, badges: 0, users: 0, items: 0, secrets: true };
  let rest = '';
  let lines = 0;
  const count = (line: string) => {
    if (lines++ === 0) counts.secrets = !line.includes('"secrets":false');
    else if (line.startsWith('{"service"')) counts.services++;
    else if (line.startsWith('{"badge"')) counts.badges++;
    else if (line.startsWith('{"user"')) counts.users++;
    else if (line.startsWith('{"item"')) counts.items++;
  };
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = rest + chunk.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop()!;
      parts.forEach(count);
      done(null, chunk);
    },
  });
  // A server that fails midway cuts the connection: the copy then fails instead of ending short.
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counting, out, { end: out !== process.stdout });
  if (rest !== '') throw new Error('The export from the server ended in the middle of a line');
  return counts;
}

async function importCommand(call: Call): Promise<number> {
  const { settings } = call;
  const file = call.args[0]!;
  const store = await openOwnStore(settings);
  const progress = progressLine();
  let counts: Awaited<ReturnType<typeof importStore>>;
  try {
    const input = file === '-' ? process.stdin : createReadStream(file);
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
    await store.settle();
  } finally {
    await store.close();
  }
  console.error(`Imported ${counts.services} services, ${counts.badges} badges, ${counts.users} users, ${counts.items} items`);
  if (counts.newKeys.length > 0) {
    console.error(`The export held no keys: ${counts.newKeys.join(', ')} got new ones (user-badges service show-key NAME prints one), and webhook endpoints new signing secrets.`);
  }
  // The whole of an embedded store on this machine, now in a database: the old copy must not be used by mistake.
  const from = counts.header.from;
  if (settings.databaseUrl && from && !call.options.copy && from.host === hostname() && existsSync(from.file)) {
    await markMoved(from.file, redactUrl(settings.databaseUrl));
    console.error(`${from.file} is marked as moved: serve and the commands refuse it from now on and say where the data is.`);
  }
  return 0;
}
