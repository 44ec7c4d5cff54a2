import type { Acted, Reactor } from './reactor.js';
import type { Item } from './model.js';
import type { Reads, Tx } from './ports.js';
import { LIST_SIZE } from '../openbadges/status-list.js';
import type { IssuerKey } from '../openbadges/keys.js';

/**
 * What Open Badges keeps (issue 22), as items, none of them personal: an issuer's signing keys
 * (public half in clear, private half sealed), and each award's place in its issuer's status list.
 * Signed credentials are not kept: they are signed again when asked for (Ed25519 is deterministic,
 * so the same inputs give the same bytes) and cached in memory only.
 */

/** An issuer's key: id `<issuer>/<key id>`, owner the issuer, v an IssuerKey (server/openbadges/keys.ts). */
export const ISSUER_KEY_KIND = 'issuer-key';
/** An award's status list entry: id the award's, v {issuer, list, index}. */
export const STATUS_KIND = 'ob-status';
/** A status list: id `<issuer>/<list>`, v {revoked: indexes set, size: entries given out}. */
export const STATUS_LIST_KIND = 'ob-status-list';

export interface StatusPlace {
  issuer: string;
  list: number;
  index: number;
}

export interface StatusList {
  /** Entries given out; the next award gets this index, and a full list gives way to the next. */
  size: number;
  revoked: number[];
}

export async function issuerKeys(reads: Pick<Reads, 'items'>, service: string, issuer: string): Promise<IssuerKey[]> {
  return (await reads.items(service, ISSUER_KEY_KIND, { owner: issuer })).map((item) => item.v as IssuerKey);
}

const keyItem = (issuer: string, key: IssuerKey, at: string): Item => ({ kind: ISSUER_KEY_KIND, id: `${issuer}/${key.id}`, owner: issuer, subject: null, at, v: key });

/** The issuer's keys, with one made (by `make`) if it has none that signs: the first credential makes it. */
export async function ensureIssuerKey(tx: Tx, service: string, issuer: string, make: () => IssuerKey): Promise<IssuerKey[]> {
  const keys = await issuerKeys(tx, service, issuer);
  if (keys.some((key) => !key.retired)) return keys;
  const fresh = make();
  tx.put({ t: 'item', s: service, v: keyItem(issuer, fresh, tx.now.toISOString()) });
  return [...keys, fresh];
}

/** Retires every key of the issuer that still signs and adds `make()`'s; the retired stay published. */
export async function rotateIssuerKey(tx: Tx, service: string, issuer: string, make: () => IssuerKey): Promise<{ retired: string[]; key: IssuerKey }> {
  const now = tx.now.toISOString();
  const retired: string[] = [];
  for (const item of await tx.items(service, ISSUER_KEY_KIND, { owner: issuer })) {
    const key = item.v as IssuerKey;
    if (key.retired) continue;
    retired.push(key.id);
    tx.put({ t: 'item', s: service, v: { ...item, v: { ...key, retired: now } } });
  }
  const key = make();
  tx.put({ t: 'item', s: service, v: keyItem(issuer, key, now) });
  return { retired, key };
}

const listId = (issuer: string, list: number) => `${issuer}/${list}`;

export async function statusList(reads: Pick<Reads, 'item'>, service: string, issuer: string, list: number): Promise<StatusList | undefined> {
  return (await reads.item(service, STATUS_LIST_KIND, listId(issuer, list)))?.v as StatusList | undefined;
}

/**
 * The award's place in its issuer's status list, given out the first time a credential of it is
 * asked for (awards made before Open Badges existed get one too). A revoked award is entered set.
 */
export async function assignStatus(tx: Tx, service: string, issuer: string, award: string, revoked: boolean): Promise<StatusPlace> {
  const known = await tx.item(service, STATUS_KIND, award);
  if (known) return known.v as StatusPlace;
  let list = 0;
  let current = await statusList(tx, service, issuer, list);
  while (current && current.size >= LIST_SIZE) current = await statusList(tx, service, issuer, ++list);
  const index = current?.size ?? 0;
  const at = tx.now.toISOString();
  tx.put({ t: 'item', s: service, v: { kind: STATUS_LIST_KIND, id: listId(issuer, list), owner: issuer, subject: null, at, v: { size: index + 1, revoked: [...(current?.revoked ?? []), ...(revoked ? [index] : [])] } } });
  const place: StatusPlace = { issuer, list, index };
  tx.put({ t: 'item', s: service, v: { kind: STATUS_KIND, id: award, owner: null, subject: null, at, v: place } });
  return place;
}

/** Sets the entries of revoked awards in their status lists, in the unit that revokes them. */
export const revokeInStatusLists: Reactor = async (tx, events) => {
  const byService = new Map<string, string[]>();
  for (const event of events) {
    if (event.type !== 'award.revoked') continue;
    // Award instances (issue 22) name the instances revoked; older events name none.
    const awards = (event as Acted & { awards?: string[] }).awards ?? [];
    if (awards.length > 0) byService.set(event.service, [...(byService.get(event.service) ?? []), ...awards]);
  }
  for (const [service, awards] of byService) {
    const places = await tx.itemsById(service, STATUS_KIND, awards);
    for (const item of places.values()) {
      const place = item.v as StatusPlace;
      const id = listId(place.issuer, place.list);
      const list = await tx.item(service, STATUS_LIST_KIND, id);
      const value = list?.v as StatusList | undefined;
      if (!list || !value || value.revoked.includes(place.index)) continue;
      tx.put({ t: 'item', s: service, v: { ...list, at: tx.now.toISOString(), v: { ...value, revoked: [...value.revoked, place.index] } } });
    }
  }
};
