import type { UsersResponse } from '../types/api.js';
import { fetchUsers, usersUrl } from './api.js';
import type { StatedUser } from './wire.js';

/** What the server said about one user: `user` is null when the service has no such user. */
export interface UserResult {
  user: StatedUser | null;
  badges: UsersResponse['badges'];
}

type Waiter = [resolve: (r: UserResult) => void, reject: (e: unknown) => void];
interface Group {
  server: string;
  service: string;
  /** The rest of the request after `names=` (`usersQuery` in api.ts): sort, states and tags. */
  query: string;
  names: Map<string, Waiter>;
}

/** Longest request URL the batcher builds; browsers, proxies and CDNs all accept this much. */
export const MAX_URL_LENGTH = 2000;
/**
 * `LIMITS.nameLength` and `LIMITS.namesPerRequest` of types/api.ts, as numbers: importing `LIMITS`
 * would bring the whole object into the bundle (test/widget/build.test.mjs checks they agree).
 */
export const NAME_LENGTH = 100;
export const NAMES_PER_REQUEST = 100;

const cache = new Map<string, Promise<UserResult>>();
let pending = new Map<string, Group>();
let scheduled = false;

/**
 * The badges of one user, batched DataLoader-style: every name asked for the same server, service and
 * query (sort, `states=all`, tags: see `usersQuery`) before the batch is dispatched goes into one
 * `users.json?names=...` request (split so that no
 * request has more than `NAMES_PER_REQUEST` names or a URL longer than `MAX_URL_LENGTH`).
 * A batch is dispatched in a task of its own once the document is parsed, so all elements of the
 * initial HTML share it, and elements added later form their own batch. Results are cached for the
 * page; a failed one is forgotten so that the next caller retries.
 */
export function loadUser(server: string, service: string, name: string, query = ''): Promise<UserResult> {
  name = norm(name);
  const group = [server, service, query].join('\n');
  const id = group + '\n' + name;
  let p = cache.get(id);
  if (!p) {
    // A name the server would refuse is never sent: it would fail the whole batch. No such user.
    p =
      !name || name.length > NAME_LENGTH || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp},/]/u.test(name)
        ? Promise.resolve({ user: null, badges: {} })
        : new Promise<UserResult>((resolve, reject) => {
            let g = pending.get(group);
            if (!g) pending.set(group, (g = { server, service, query, names: new Map() }));
            g.names.set(name, [resolve, reject]);
            schedule();
          });
    cache.set(id, p);
    p.catch(() => cache.get(id) === p && cache.delete(id));
  }
  return p;
}

/** A user name as the server normalises it. */
export const norm = (name: string): string => name.trim().normalize('NFC');

/**
 * Forgets every cached result, so that elements rendered from now on ask the server again (what
 * `refresh()` does before asking again for its elements).
 */
export function clearCache(): void {
  cache.clear();
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  const go = () => setTimeout(dispatch);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go, { once: true });
  else go();
}

function dispatch() {
  scheduled = false;
  const groups = pending;
  pending = new Map();
  for (const g of groups.values()) for (const chunk of chunks(g)) send(g, chunk);
}

/** Splits a group's names into requests that respect both the name count and the URL length limit. */
export function* chunks(g: { server: string; service: string; query: string; names: Map<string, unknown> }) {
  let chunk: string[] = [];
  for (const name of g.names.keys()) {
    const next = [...chunk, name];
    if (chunk.length && (next.length > NAMES_PER_REQUEST || usersUrl(g.server, g.service, next, g.query).length > MAX_URL_LENGTH)) {
      yield chunk;
      chunk = [name];
    } else chunk = next;
  }
  if (chunk.length) yield chunk;
}

function send(g: Group, names: string[]) {
  fetchUsers(usersUrl(g.server, g.service, names, g.query)).then(
    (res) => {
      const users = new Map(res.users.map((u) => [u.name, u]));
      for (const name of names) g.names.get(name)![0]({ user: users.get(name) ?? null, badges: res.badges || {} });
    },
    (e) => {
      for (const name of names) g.names.get(name)![1](e);
    },
  );
}
