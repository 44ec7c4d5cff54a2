/**
 * Who is signed in, kept so that a reload does not sign out, and never in clear.
 *
 * The key (or the operator token) lives in memory. A copy for reloads is kept in `sessionStorage`
 * (this tab only, gone when it closes), encrypted with AES-GCM under a key that WebCrypto made
 * non-extractable and that IndexedDB holds: what is written to disk is ciphertext, and the wrapping
 * key cannot be read out of the browser, only used by pages of this origin. Nothing goes into
 * `localStorage`, a cookie or a URL; the API takes credentials from the `Authorization` header
 * only, so another site cannot make the browser act with them (no CSRF).
 */

export type Session =
  /** A service's key, or a scoped key's token (`key_....secret`). */
  | { kind: 'service'; service: string; key: string }
  /** The operator token; `service` and `key` once a service is opened (its key read through the admin API). */
  | { kind: 'operator'; token: string; service?: string; key?: string };

const STORAGE = 'user-badges-admin/session';
const DB = 'user-badges-admin';
const KEYS = 'keys';
const WRAPPING = 'session';

function database(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(KEYS);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function keyStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await database();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(KEYS, mode).objectStore(KEYS));
      request.onsuccess = () => resolve(request.result as T);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The wrapping key: the one other tabs use, else a new one (made non-extractable). */
async function wrappingKey(): Promise<CryptoKey> {
  const known = await keyStore<CryptoKey | undefined>('readonly', (s) => s.get(WRAPPING));
  if (known) return known;
  const made = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await keyStore('readwrite', (s) => s.put(made, WRAPPING));
  return made;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function saveSession(session: Session): Promise<void> {
  try {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await wrappingKey(), new TextEncoder().encode(JSON.stringify(session))));
    sessionStorage.setItem(STORAGE, toBase64(iv) + '.' + toBase64(sealed));
  } catch {
    // No IndexedDB or WebCrypto (a private window of some browsers): the session lasts until a reload.
    sessionStorage.removeItem(STORAGE);
  }
}

/** The session this tab saved, if it can still be read. */
export async function loadSession(): Promise<Session | null> {
  const saved = sessionStorage.getItem(STORAGE);
  if (!saved) return null;
  try {
    const [iv, sealed] = saved.split('.');
    const key = await keyStore<CryptoKey | undefined>('readonly', (s) => s.get(WRAPPING));
    if (!key || !iv || !sealed) throw new Error('no key');
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv) }, key, fromBase64(sealed));
    return JSON.parse(new TextDecoder().decode(plain)) as Session;
  } catch {
    sessionStorage.removeItem(STORAGE);
    return null;
  }
}

/** Signs out: the saved copy goes, and so does the wrapping key (every tab's copy is then unreadable). */
export async function clearSession(): Promise<void> {
  sessionStorage.removeItem(STORAGE);
  await keyStore('readwrite', (s) => s.delete(WRAPPING)).catch(() => undefined);
}
