import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  id: string;
  at: number;
  body: string;
  headers: IncomingHttpHeaders;
  /** What `standardwebhooks` made of it with the endpoint's secret: the payload, or why it refused. */
  verified: { payload: unknown } | { error: string };
}

/** What the receiver answers a request with. */
export type Reply = { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A webhook receiver as a site would run one: a real HTTP server that verifies each request with
 * `standardwebhooks` and the secret of the endpoint registered for its path.
 */
export async function startReceiver() {
  const secrets = new Map<string, string>();
  const replies = new Map<string, (received: Received) => Reply>();
  const received: Received[] = [];
  const hanging = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const secret = secrets.get(path);
      let verified: Received['verified'];
      try {
        verified = { payload: new Webhook(secret ?? 'whsec_AAAA').verify(body, req.headers as Record<string, string>) };
      } catch (error) {
        verified = { error: (error as Error).message };
      }
      const entry: Received = { path, id: String(req.headers['webhook-id']), at: Date.now(), body, headers: req.headers, verified };
      received.push(entry);
      const reply = replies.get(path)?.(entry) ?? { status: 204 };
      if (reply === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      res.writeHead(reply.status, reply.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    base,
    received,
    /** Verifies requests to `path` with this secret. */
    expect(path: string, secret: string, reply?: (received: Received) => Reply) {
      secrets.set(path, secret);
      if (reply) replies.set(path, reply);
    },
    reply(path: string, reply: (received: Received) => Reply) {
      replies.set(path, reply);
    },
    at: (path: string) => received.filter((r) => r.path === path),
    /** Resolves once `check` holds of what arrived, or fails after `ms`. */
    async until(check: () => boolean, ms = 15_000, what = 'the deliveries') {
      const end = Date.now() + ms;
      while (!check()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; received: ${received.map((r) => `${r.path} ${r.id}`).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      for (const cut of hanging) cut();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
