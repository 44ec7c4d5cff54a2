import type { ServerResponse } from 'node:http';
import { LIVE_AT, LIVE_BACKLOG, LIVE_KIND, LIVE_SEQUENCE, liveId, liveSequence, type LiveEntry } from '../../core/live.js';
import type { Invalidation } from '../../core/changes.js';
import type { Store } from '../../core/ports.js';
import { HttpError } from '../errors.js';
import { responseTime } from '../middleware/response-time.js';
import type { LiveConfig } from '../../config/live.js';

/** One open stream: a page, and the users it shows (null: every user, for a leaderboard). */
interface Stream {
  res: ServerResponse;
  ip: string;
  service: string;
  users: Set<string> | null;
  /** The last entry this stream has been taken past (sent, or not for it): what a heartbeat tells as its id. */
  through: number;
  /** Entries that arrived while its backlog was being replayed; sent after, those past `through`. */
  queued: [number, LiveEntry][] | null;
  heartbeat: NodeJS.Timeout;
}

interface ServiceStreams {
  streams: Set<Stream>;
  /** The last entry read from the store and fanned out. */
  last: number;
  /** A read of new entries is under way; `again` asks for one more after it. */
  reading: Promise<void> | null;
  again: boolean;
}

/**
 * The live streams this instance holds (Server-Sent Events), and their fan-out. One read of the
 * store per service per change, whatever the number of streams: the change feed says a unit wrote
 * live entries (on PostgreSQL it is the LISTEN connection every instance already has, told by the
 * NOTIFY of each commit), the hub reads the entries after the last it fanned out, and each goes to
 * the streams showing its user (a badge's change to all of the service's streams).
 *
 * Counted and bounded: at most `maxStreams` on the instance, `perIp` from one address and
 * `perService` for one service, and the last tenth of `maxStreams` only for services holding under a
 * hundredth of it (fairness between services that share a server). Streams never read a body, so
 * they take nothing from the body budget.
 */
export class LiveHub {
  private readonly services = new Map<string, ServiceStreams>();
  private readonly perIp = new Map<string, number>();
  private count = 0;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly config: LiveConfig,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    this.unsubscribe = store.feed.subscribe((change) => this.changed(change));
  }

  /** Streams open now. */
  get size(): number {
    return this.count;
  }

  /**
   * Refuses a stream over a bound, before anything is sent: 429 for one address or one service
   * holding too many, 503 when the instance holds all it may.
   */
  admit(service: string, ip: string): void {
    if (this.closed) throw new HttpError(503, 'store_closed', 'The server is shutting down');
    if (this.count >= this.config.maxStreams) throw new HttpError(503, 'busy', `This server holds ${this.config.maxStreams} live streams, its most (LIVE_MAX_STREAMS); retry later`);
    if ((this.perIp.get(ip) ?? 0) >= this.config.perIp) throw new HttpError(429, 'too_many_streams', `At most ${this.config.perIp} live streams from one address (LIVE_MAX_PER_IP): a page needs one for all its users`);
    const held = this.services.get(service)?.streams.size ?? 0;
    if (held >= this.config.perService) throw new HttpError(429, 'too_many_streams', `At most ${this.config.perService} live streams for one service on this server (LIVE_MAX_PER_SERVICE)`);
    // The last tenth is kept for services holding few streams (under a hundredth each), so that one
    // service's many streams, or two's, never leave a server that others share with no room for them.
    const { reserve, few } = this.shares();
    if (this.config.maxStreams - this.count <= reserve && held >= few) {
      throw new HttpError(503, 'busy', `This server keeps its last ${reserve} live streams for services holding fewer than ${few}; retry later`);
    }
  }

  /** The streams kept for small services, and what counts as small. */
  private shares(): { reserve: number; few: number } {
    return { reserve: Math.floor(this.config.maxStreams / 10), few: Math.max(1, Math.floor(this.config.maxStreams / 100)) };
  }

  /**
   * Starts a stream on `res` (headers not sent yet): after `lastId` when the page says where it was
   * (what it missed is sent from the backlog, or a "reload" event when the backlog no longer reaches
   * back), else from now.
   */
  async open(service: string, users: string[] | null, lastId: number | null, res: ServerResponse, ip: string, started = performance.now()): Promise<void> {
    this.admit(service, ip);
    const state = await this.serviceStreams(service);
    // Gone while the service's place was read: its close has been and will not come again.
    if (res.destroyed) return;
    res.writeHead(200, {
      // Until the stream opened, as every answer says how long it took.
      'X-Response-Time': responseTime(started),
      'Content-Type': 'text/event-stream; charset=utf-8',
      // No cache, no proxy may transform (compress) it; nginx is told not to buffer it.
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      'Access-Control-Allow-Origin': '*',
    });
    res.socket?.setNoDelay(true);
    res.socket?.setTimeout(0);
    const stream: Stream = {
      res,
      ip,
      service,
      users: users && new Set(users),
      through: state.last,
      queued: lastId === null ? null : [],
      heartbeat: setInterval(() => res.write(`id: ${stream.through}\n\n`), this.config.heartbeatMs),
    };
    this.count++;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    state.streams.add(stream);
    res.once('close', () => this.drop(stream));
    res.write(`retry: ${this.config.retryMs}\nid: ${stream.through}\n\n`);
    if (lastId !== null) await this.replay(stream, lastId).catch((error) => this.log('a live stream could not replay its backlog', error));
  }

  /** Ends every stream with a last event saying why (the server stops); new ones are refused. */
  close(reason = 'shutdown'): void {
    this.closed = true;
    this.unsubscribe();
    for (const state of this.services.values()) {
      for (const stream of state.streams) stream.res.end(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`);
    }
  }

  /** Sends what followed `lastId` from the backlog, or "reload" when it no longer reaches back. */
  private async replay(stream: Stream, lastId: number): Promise<void> {
    const items = await this.store.listItems(stream.service, LIVE_KIND, { after: { at: LIVE_AT, id: liveId(lastId) }, limit: LIVE_BACKLOG });
    const current = liveSequence(await this.store.getItem(stream.service, LIVE_SEQUENCE.kind, LIVE_SEQUENCE.id));
    const first = items.length > 0 ? Number(items[0]!.id) : current + 1;
    let through = lastId;
    if (lastId > current || first > lastId + 1) {
      // Gone from the backlog (or from another store): the page reads everything again.
      through = Math.max(current, ...items.map((item) => Number(item.id)));
      stream.res.write(`id: ${through}\nevent: reload\ndata: {}\n\n`);
    } else {
      for (const item of items) through = this.send(stream, Number(item.id), item.v as LiveEntry, through);
    }
    const queued = stream.queued ?? [];
    stream.queued = null;
    for (const [n, entry] of queued) through = this.send(stream, n, entry, through);
    stream.through = Math.max(stream.through, through);
  }

  /** Sends the entry if it is past `through` and for this stream; answers the new `through`. */
  private send(stream: Stream, n: number, entry: LiveEntry, through: number): number {
    if (n <= through) return through;
    if (stream.users === null || entry.user === undefined || stream.users.has(entry.user)) {
      stream.res.write(`id: ${n}\nevent: ${entry.type}\ndata: ${JSON.stringify(entry)}\n\n`);
    }
    return n;
  }

  private async serviceStreams(service: string): Promise<ServiceStreams> {
    let state = this.services.get(service);
    if (!state) {
      const last = liveSequence(await this.store.getItem(service, LIVE_SEQUENCE.kind, LIVE_SEQUENCE.id));
      state = this.services.get(service) ?? { streams: new Set(), last, reading: null, again: false };
      this.services.set(service, state);
    }
    return state;
  }

  private changed(change: Invalidation): void {
    if (change.service === '*') {
      for (const service of this.services.keys()) this.read(service);
    } else if (change.all || change.items?.includes(LIVE_KIND)) {
      if (this.services.has(change.service)) this.read(change.service);
    }
  }

  /** Reads the entries after the last fanned out, and fans them out; one read at a time per service. */
  private read(service: string): void {
    const state = this.services.get(service)!;
    if (state.reading) {
      state.again = true;
      return;
    }
    state.reading = (async () => {
      do {
        state.again = false;
        const items = await this.store.listItems(service, LIVE_KIND, { after: { at: LIVE_AT, id: liveId(state.last) }, limit: LIVE_BACKLOG });
        for (const item of items) {
          const n = Number(item.id);
          const entry = item.v as LiveEntry;
          for (const stream of state.streams) {
            if (stream.queued) stream.queued.push([n, entry]);
            else stream.through = this.send(stream, n, entry, stream.through);
          }
          state.last = n;
        }
        if (items.length === LIVE_BACKLOG) state.again = true;
      } while (state.again);
    })()
      .catch((error) => this.log(`live entries of service "${service}" could not be read`, error))
      .finally(() => {
        state.reading = null;
        if (state.streams.size === 0 && this.services.get(service) === state) this.services.delete(service);
      });
  }

  private drop(stream: Stream): void {
    clearInterval(stream.heartbeat);
    const state = this.services.get(stream.service);
    if (!state?.streams.delete(stream)) return;
    this.count--;
    const left = (this.perIp.get(stream.ip) ?? 1) - 1;
    if (left === 0) this.perIp.delete(stream.ip);
    else this.perIp.set(stream.ip, left);
    if (state.streams.size === 0 && !state.reading) this.services.delete(stream.service);
  }
}
