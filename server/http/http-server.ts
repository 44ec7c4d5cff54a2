import { createServer, type RequestListener, type Server } from 'node:http';

export interface ConnectionLimits {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxConnections: number;
}

/**
 * The HTTP server `serve` listens with, bounded against slow and idle clients: headers must arrive
 * within `headersTimeoutMs`, bodies within `bodyTimeoutMs` (body.ts answers those it reads with a
 * 408; Node's request timeout is the backstop for a body nobody reads), and connections beyond
 * `maxConnections` are closed as they arrive. Node's own defaults let a request take 300 s.
 */
export function createHttpServer(handler: RequestListener, limits: ConnectionLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 1000,
      // How often Node looks for requests past those deadlines (30 s by default, too coarse for them).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
