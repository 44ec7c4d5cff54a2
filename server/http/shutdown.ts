import type { Server, ServerResponse } from 'node:http';

/**
 * Graceful stopping for `server`; call before it serves anything. `stop(graceMs)` stops accepting,
 * closes idle keep-alive connections, lets every request already begun finish and be answered (with
 * `Connection: close`, so no further request follows on its connection), and resolves when all
 * connections are closed or, at the latest, after `graceMs`, when the rest are cut. It resolves to
 * the number of requests that were cut.
 */
export function gracefulStop(server: Server): (graceMs: number) => Promise<number> {
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  // First among the listeners, so it runs before the app can send headers.
  server.prependListener('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A response that started before the stop kept its connection alive: close it now it is idle.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    if (stopping) res.setHeader('Connection', 'close');
  });

  return async function stop(graceMs) {
    stopping = true;
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (!late) return 0;
    const cut = inFlight.size;
    server.closeAllConnections();
    await closed;
    return cut;
  };
}
