import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createApp, type App } from '../../server/app/create-app.js';
import { composeDomain } from '../../server/app/domain.js';
import { openStore } from '../../server/app/open-store.js';
import type { Store } from '../../server/core/ports.js';
import { startReceiver } from '../support/receiver.js';
import { ROOT } from '../support/serve.js';

/**
 * A display server as a community runs it, for the console's browser tests and its screenshots:
 * the forum of the cross-origin demo (demo/community/seed.json) with sixty members awarded over the
 * last four weeks, addresses, events, a rule, a scoped key, claim codes, an invitation and a webhook
 * endpoint on a real receiver. In-process (so the tests read its store), on 127.0.0.1, with an
 * operator token; files served from this checkout (dist/admin must be built).
 */

export const SERVICE = 'community';
export const KEY = 'community-key-0123456789abcdef';
export const OPERATOR = 'operator-token-0123456789abcdef0123';

const MEMBERS = [
  'mira', 'kenji', 'amara', 'lukas', 'olek', 'layla', 'sofia', 'tomasz', 'ines', 'ravi', 'noor', 'emeka', 'hana', 'pablo', 'greta', 'yusuf',
  'chloe', 'dmitri', 'aiko', 'felix', 'zainab', 'mateo', 'freya', 'jonas', 'leila', 'omar', 'priya', 'sven', 'talia', 'viktor', 'wen', 'xavier',
  'yara', 'zoe', 'anders', 'bianca', 'caleb', 'dalia', 'elias', 'fatima', 'gustav', 'helena', 'ivan', 'jade', 'kofi', 'lena', 'malik', 'nina',
  'oscar', 'paula', 'quinn', 'rosa', 'samir', 'tess', 'umar', 'vera', 'wilma', 'yosef', 'zara', 'ben',
];

/** The same numbers on every run: screenshots compare, and tests know what they see. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

export interface Community {
  base: string;
  store: Store;
  app: App;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** The scoped key that may award and revoke only (its token). */
  awarderToken: string;
  call: (method: string, path: string, body?: unknown) => Promise<any>;
  close: () => Promise<void>;
}

export async function startCommunity(): Promise<Community> {
  const receiver = await startReceiver();
  const store = await openStore({ seed: true });
  const app = createApp({
    store,
    config: {
      publicRoot: ROOT,
      adminToken: OPERATOR,
      log: () => {},
      access: { webhookAllowPrivate: true, webhookRetryScale: 0.0001, webhookPollMs: 100, webhookTimeoutMs: 3000 },
    },
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/v1/${SERVICE}${path}`, {
      method,
      headers: { authorization: KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  const seed = JSON.parse(readFileSync(new URL('../../demo/community/seed.json', import.meta.url), 'utf8')) as {
    badges: ({ name: string } & Record<string, unknown>)[];
    progress: Record<string, Record<string, number>>;
  };
  const domain = composeDomain(store);
  await domain.createService(SERVICE, KEY);
  await domain.putBadges(SERVICE, seed.badges.map(({ name, ...fields }) => ({ name, fields: fields as never })));

  // Awards over the last 28 days: a few members a day, more lately, the easy badges most often.
  const next = random(23);
  const easy = seed.badges.filter((b) => b.type === 'bronze').map((b) => b.name);
  const rare = seed.badges.filter((b) => b.type !== 'bronze').map((b) => b.name);
  const day = 86_400_000;
  const start = Date.now() - 28 * day;
  for (let d = 0; d < 28; d++) {
    const awards = 2 + Math.floor(next() * (3 + d / 4));
    for (let i = 0; i < awards; i++) {
      const user = MEMBERS[Math.floor(next() * MEMBERS.length)]!;
      const pool = next() < 0.8 ? easy : rare;
      const badge = pool[Math.floor(next() * pool.length)]!;
      await domain.award(SERVICE, user, [badge], new Date(start + d * day + Math.floor(next() * day * 0.9)));
    }
  }
  for (const [user, made] of Object.entries(seed.progress)) await domain.setProgress(SERVICE, user, made);

  // What the console manages besides: addresses, events and a rule, a scoped key, claim codes,
  // an invitation, a webhook endpoint.
  for (const user of MEMBERS.slice(0, 12)) await call('PUT', `/users/${user}/emails.json`, { emails: [`${user}@example.org`] });
  await call('PUT', '/event-types.json', {
    eventTypes: [
      { source: 'forum', type: 'post', action: 'create', description: 'A member wrote a post' },
      { source: 'forum', type: 'topic', action: 'create', description: 'A member started a topic' },
    ],
  });
  await call('POST', '/rules.json', { id: 'first-topic', badge: 'first-quote', condition: 'first', eventTypes: [{ source: 'forum', type: 'topic', action: 'create' }] });
  await call('POST', '/events.json', {
    events: MEMBERS.slice(0, 20).map((user, i) => ({ id: `post-${i}`, user, eventType: { source: 'forum', type: 'post', action: 'create' }, preview: 'A helpful answer' })),
  });
  const awarder = await call('POST', '/keys.json', { label: 'Forum moderators', operations: ['award', 'revoke'] });
  await call('POST', '/keys.json', { label: 'Analytics export', operations: ['read_private'] });
  await call('POST', '/badges/welcome/claim-codes.json', { count: 3, uses: 1 });
  await call('POST', '/badges/certified/awards.json', { emails: ['newcomer@example.org'] });
  const endpoint = await call('POST', '/webhooks.json', { url: `${receiver.base}/hooks/community`, events: ['award.created', 'award.revoked'], description: 'Forum notifications' });
  receiver.expect('/hooks/community', endpoint.secret);

  return {
    base,
    store,
    app,
    receiver,
    awarderToken: awarder.token,
    call,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.background.stop();
      await store.close();
      await receiver.close();
    },
  };
}
