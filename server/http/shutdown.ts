import { Server as NetServer, type Socket } from 'node:net';
import type { Server, ServerResponse } from 'node:http';

/** How long a connection must have been idle, counted from the stop at the earliest, before the drain closes it. */
export const IDLE_GRACE_MS = 1000;

interface Connection {
  /** Requests begun on it and not yet answered. */
  busy: number;
  /** When its last answer was done (or it connected). */
  idleSince: number;
  /** What it had received by then: more means a request is on its way. */
  bytesAtIdle: number;
}

/**
 * Graceful stopping for `server`; call before it serves anything. `stop(graceMs)` stops accepting
 * and drains the connections open:
 * - a request in progress is answered, with `Connection: close`;
 * - a keep-alive connection's next request is answered too, with `Connection: close`, so its client
 *   learns to go elsewhere from an answer rather than from a connection closed under its request;
 * - a connection idle for `IDLE_GRACE_MS` (counted from the stop at the earliest) with no request on
 *   its way is closed.
 * It resolves when every connection is closed or, at the latest, after `graceMs`, when the rest are
 * cut; it resolves to the number of requests that were cut.
 *
 * Closing idle connections at once (what `http.Server.close()` does) races the requests their
 * clients are sending at that moment: under steady load some of them meet a closed connection.
 */
export function gracefulStop(server: Server): (graceMs: number) => Promise<number> {
  const inFlight = new Set<ServerResponse>();
  const connections = new Map<Socket, Connection>();
  let stopping = false;
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { busy: 0, idleSince: performance.now(), bytesAtIdle: 0 });
    socket.once('close', () => connections.delete(socket));
  });
  // First among the listeners, so it runs before the app can send headers.
  server.prependListener('request', (req, res: ServerResponse) => {
    inFlight.add(res);
    const connection = connections.get(req.socket);
    if (connection) connection.busy++;
    res.once('close', () => {
      inFlight.delete(res);
      if (!connection) return;
      connection.busy--;
      connection.idleSince = performance.now();
      connection.bytesAtIdle = req.socket.bytesRead;
    });
    if (stopping) res.setHeader('Connection', 'close');
  });

  return async function stop(graceMs) {
    stopping = true;
    const stoppedAt = performance.now();
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    // net's close: no new connections, and the callback once the open ones are gone. Not http's,
    // which would close the idle ones now.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    const idleGrace = Math.min(IDLE_GRACE_MS, graceMs);
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const [socket, connection] of connections) {
        const quiet = connection.busy === 0 && socket.bytesRead === connection.bytesAtIdle;
        if (quiet && now - Math.max(connection.idleSince, stoppedAt) >= idleGrace) socket.destroy();
      }
    }, Math.max(10, Math.min(100, idleGrace / 4)));
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    clearInterval(sweep);
    if (!late) return 0;
    const cut = inFlight.size;
    server.closeAllConnections();
    await closed;
    return cut;
  };
}
