// Preloaded into a server (node --import): counts and times every query, and per batch (BEGIN;
// advisory lock ... COMMIT) its queries and time; prints them on SIGUSR2. QDUMP=prefix writes one
// batch's write statement with its values to prefix<pid>.json.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const pg = require('pg');
const stats = new Map();
const batches = { n: 0, queries: 0, ms: 0, lockWait: 0, units: 0 };
let dumped = 0;
const orig = pg.Client.prototype.query;
pg.Client.prototype.query = function (text, ...rest) {
  const t = typeof text === 'string' ? text : text?.text ?? '?';
  const vals = rest[0] ?? text?.values; let key = t.replace(/\s+/g, ' ').trim().slice(0, 90); if (key.includes('FROM items WHERE service = $1 AND kind = $2')) key = key.slice(0, 60) + ' [' + vals?.[1] + ' ' + (vals?.[2] ?? '') + ']';
  const started = performance.now();
  const isBegin = key.startsWith('BEGIN; SELECT pg_advisory_xact_lock');
  if (isBegin) this.__batch = { started, queries: 0 };
  if (this.__batch) this.__batch.queries++;
  if (process.env.QDUMP && key.startsWith('WITH s AS') && ++dumped === 60) require('node:fs').writeFileSync(process.env.QDUMP + process.pid + '.json', JSON.stringify({ text: t, values: rest[0] ?? text.values }));
  const cb = typeof rest.at(-1) === 'function' ? rest.pop() : undefined;
  const p = orig.call(this, text, ...rest);
  if (cb) p.then((r) => cb(null, r), (e) => cb(e));
  if (p && typeof p.then === 'function') {
    p.then(() => {
      const ms = performance.now() - started;
      let s = stats.get(key); if (!s) stats.set(key, (s = { n: 0, ms: 0 }));
      s.n++; s.ms += ms;
      if (isBegin && this.__batch) this.__batch.lock = ms;
      if (key === 'COMMIT' && this.__batch) {
        batches.n++; batches.queries += this.__batch.queries; batches.ms += performance.now() - this.__batch.started; batches.lockWait += this.__batch.lock ?? 0;
        this.__batch = undefined;
      }
    }, () => {});
  }
  return cb ? undefined : p;
};
const dump = () => {
  const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
  process.stderr.write(`\n[qtrace ${process.pid}] batches ${batches.n}, queries/batch ${(batches.queries / batches.n).toFixed(1)}, ms/batch ${(batches.ms / batches.n).toFixed(1)} (lock wait ${(batches.lockWait / batches.n).toFixed(1)})\n`);
  for (const [k, s] of rows) process.stderr.write(`  ${String(s.n).padStart(7)} ${s.ms.toFixed(0).padStart(7)} ms ${(s.ms / s.n).toFixed(2).padStart(6)}  ${k}\n`);
};
process.on('SIGUSR2', dump);
