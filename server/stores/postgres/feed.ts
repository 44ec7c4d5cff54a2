import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Invalidation } from '../../core/changes.js';
import type { ChangeFeed } from '../../core/ports.js';
import { LocalFeed } from '../local.js';

export const CHANNEL = 'user_badges';
/** NOTIFY refuses payloads of 8,000 bytes and more; past this, a service is invalidated whole. */
const MAX_PAYLOAD = 7_500;
const EVERYTHING: Invalidation = { service: '*', all: true };

/**
 * The change feed of every instance on one database. A batch's invalidations go out with its
 * commit as NOTIFY (transactional: sent if and only if the batch commits); a connection of its own,
 * outside the pool, LISTENs and tells this instance's subscribers.
 *
 * This instance's own batches are told to its subscribers directly at commit, before their units
 * are answered, so a client that wrote and then reads never sees the cache from before its write;
 * their notifications carry this feed's `origin` and are ignored when they come back.
 *
 * While the listening connection is down nothing can be known, so losing it tells subscribers
 * "everything" (service "*"), and so does getting it back: what changed in between was missed.
 */
export class PostgresFeed implements ChangeFeed {
  readonly origin = randomUUID();
  private readonly local = new LocalFeed();
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly heartbeatMs = 5_000,
  ) {}

  subscribe(listener: (change: Invalidation) => void): () => void {
    return this.local.subscribe(listener);
  }

  /** Listens; the first connection must work, later ones are retried. */
  async start(): Promise<void> {
    this.client = await this.connect();
    this.beat();
  }

  /** Tells this instance what its own batch changed. */
  publish(changes: readonly Invalidation[]): void {
    for (const change of changes) this.local.publish(change);
  }

  /** The NOTIFY payloads for a batch's invalidations. */
  payloads(changes: readonly Invalidation[]): string[] {
    return changes.map((change) => {
      const payload = JSON.stringify({ from: this.origin, change });
      return Buffer.byteLength(payload) <= MAX_PAYLOAD ? payload : JSON.stringify({ from: this.origin, change: { service: change.service, all: true } });
    });
  }

  /** Whether the listening connection is up (for health checks and tests). */
  get listening(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.heartbeat) clearTimeout(this.heartbeat);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.receive(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  private receive(payload: string | undefined): void {
    let message: { from?: unknown; change?: Invalidation };
    try {
      message = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (message.from === this.origin || typeof message.change?.service !== 'string') return;
    this.local.publish(message.change);
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => {});
    if (error) this.onError(error);
    this.local.publish(EVERYTHING);
    this.reconnect(100);
  }

  private reconnect(delay: number): void {
    if (this.closed) return;
    this.retry = setTimeout(async () => {
      this.retry = null;
      let client: pg.Client;
      try {
        client = await this.connect();
      } catch (error) {
        this.onError(error);
        this.reconnect(Math.min(delay * 2, 5_000));
        return;
      }
      if (this.closed) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.local.publish(EVERYTHING);
    }, delay);
  }

  /**
   * A query on the listening connection now and then: a connection that died without a word (a
   * network gone quiet, a failover) would otherwise look alive for as long as TCP keepalive takes,
   * minutes, while every notification is missed. No answer in time counts as lost.
   */
  private beat(): void {
    this.heartbeat = setTimeout(async () => {
      const client = this.client;
      if (client) {
        let timer: NodeJS.Timeout | undefined;
        const silent = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the listening connection did not answer')), this.heartbeatMs);
        });
        await Promise.race([client.query('SELECT 1'), silent])
          .catch((error) => this.lost(client, error))
          .finally(() => clearTimeout(timer));
      }
      if (!this.closed) this.beat();
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }
}
