import { after } from 'node:test';

/**
 * Loaded into every test process (`--import` in the test scripts): a test file whose tests are over
 * but whose process does not end (a server not stopped, a timer, a child process) is ended after
 * `LINGER_MS`, with what still holds it named, instead of running out the runner's timeout in
 * silence. Registered before the file's own hooks, so it starts counting when they start.
 */
const LINGER_MS = Number(process.env.TEST_LINGER_MS ?? 60_000); // shorter to try the watchdog itself

after(() => {
  setTimeout(() => {
    process.stderr.write(`test file still running ${LINGER_MS / 1000} s after its last test; held by: ${holders().join('; ') || 'nothing Node can name'}\n`);
    process.exit(1);
  }, LINGER_MS).unref();
});

/** What keeps the event loop alive, with what can be told about each. */
function holders(): string[] {
  const handles = (process as unknown as { _getActiveHandles?: () => object[] })._getActiveHandles?.() ?? [];
  const named = handles.map((handle) => {
    const h = handle as { constructor?: { name?: string }; pid?: number; spawnfile?: string; remoteAddress?: string; remotePort?: number; localPort?: number; address?: () => unknown; fd?: number };
    const kind = h.constructor?.name ?? 'handle';
    if (h.pid !== undefined) return `${kind} pid ${h.pid} (${h.spawnfile})`;
    if (h.remotePort !== undefined) return `${kind} to ${h.remoteAddress}:${h.remotePort} from port ${h.localPort}`;
    if (typeof h.address === 'function') return `${kind} listening on ${JSON.stringify(h.address())}`;
    return h.fd !== undefined ? `${kind} fd ${h.fd}` : kind;
  });
  const timers = process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
  return [...named, ...(timers > 0 ? [`${timers} timer(s)`] : [])];
}
