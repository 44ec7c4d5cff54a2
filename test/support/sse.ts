import { request } from 'node:http';

/** One event of a stream, as a browser's EventSource would dispatch it (and `id`-only frames, as `id`). */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Every frame received so far. */
  events: SseEvent[];
  /** Resolves with the first frame (from `from` on) that `match` accepts; fails naming `what` after `ms`. */
  next: (what: string, match: (e: SseEvent) => boolean, ms?: number, from?: number) => Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close: () => void;
  /** The raw bytes received so far. */
  raw: () => Buffer;
}

/**
 * A Server-Sent Events client over node:http (not fetch: it must see the bytes as they arrive,
 * whatever the headers say), parsing frames as the spec does.
 */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const chunks: Buffer[] = [];
      const waiting = new Set<() => void>();
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        buffer += chunk.toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: 'message', data: '' };
          let fields = 0;
          for (const line of frame.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            const name = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            fields++;
            if (name === 'event') event.event = value;
            else if (name === 'id') event.id = value;
            else if (name === 'data') event.data += (event.data ? '\n' : '') + value;
            else if (name === 'retry') event.event = 'retry';
          }
          if (fields === 1 && event.id !== undefined) event.event = 'id';
          if (fields > 0) events.push(event);
        }
        for (const wake of waiting) wake();
      });
      const ended = new Promise<void>((done) => res.once('end', done).once('close', done));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        ended,
        raw: () => Buffer.concat(chunks),
        close: () => req.destroy(),
        next: (what, match, ms = 10_000, from = 0) =>
          new Promise((found, fail) => {
            const look = () => {
              const hit = events.slice(from).find(match);
              if (!hit) return false;
              waiting.delete(check);
              clearTimeout(timer);
              found(hit);
              return true;
            };
            const check = () => void look();
            const timer = setTimeout(() => {
              waiting.delete(check);
              fail(new Error(`no ${what} on the stream within ${ms} ms; got ${JSON.stringify(events)}`));
            }, ms);
            if (!look()) waiting.add(check);
          }),
      });
    });
    req.once('error', reject);
    req.end();
  });
}
