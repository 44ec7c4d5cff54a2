import { conflict } from '../errors.js';
import type { Reads, Tx } from '../ports.js';

/**
 * Each badge's integer id, as CrowdTwist's API gives one: kept, never a place in a list, so it stays
 * while the badge does. Numbered in the order badges are written, from 1, or as a write says (a
 * program moving over keeps its ids); a badge deleted takes its number with it. Items: the number
 * by badge name, the badge by number (so a number is given once), and the next number to give.
 */
export const BADGE_NUMBER_KIND = 'badge-number';
export const NUMBERED_KIND = 'badge-numbered';
export const NEXT_NUMBER_KIND = 'badge-number-next';

/** The numbers of those of the badges that have one. */
export async function badgeNumbers(tx: Reads, service: string, names: readonly string[]): Promise<Map<string, number>> {
  const items = await tx.itemsById(service, BADGE_NUMBER_KIND, names);
  return new Map([...items].map(([name, item]) => [name, (item.v as { n: number }).n]));
}

/**
 * Gives each badge named its number: `wanted` where a write names one (refused when another badge
 * that still exists has it), the next free one where it has none yet.
 */
export async function numberBadges(tx: Tx, service: string, names: readonly string[], wanted: ReadonlyMap<string, number> = new Map()): Promise<Map<string, number>> {
  const numbers = await badgeNumbers(tx, service, names);
  const counter = await tx.item(service, NEXT_NUMBER_KIND, 'next');
  let next = counter ? (counter.v as { next: number }).next : 1;
  const at = tx.now.toISOString();
  const give = (badge: string, n: number) => {
    const old = numbers.get(badge);
    if (old !== undefined) tx.put({ t: 'item-', s: service, k: NUMBERED_KIND, id: String(old) });
    tx.put({ t: 'item', s: service, v: { kind: BADGE_NUMBER_KIND, id: badge, owner: null, at, v: { n } } });
    tx.put({ t: 'item', s: service, v: { kind: NUMBERED_KIND, id: String(n), owner: null, at, v: { badge } } });
    numbers.set(badge, n);
    next = Math.max(next, n + 1);
  };
  for (const [badge, n] of wanted) {
    if (numbers.get(badge) === n) continue;
    const holder = (await tx.item(service, NUMBERED_KIND, String(n)))?.v as { badge: string } | undefined;
    if (holder && holder.badge !== badge && (await tx.badges(service, [holder.badge])).has(holder.badge)) {
      throw conflict('badge_id_taken', `Badge "${badge}": id ${n} is badge "${holder.badge}"'s`);
    }
    give(badge, n);
  }
  for (const badge of names) {
    // Numbers a write left to us skip those a program moving over brought.
    while (!numbers.has(badge)) {
      const n = next;
      if (!(await tx.item(service, NUMBERED_KIND, String(n)))) give(badge, n);
      else next = n + 1;
    }
  }
  if (!counter || (counter.v as { next: number }).next !== next) tx.put({ t: 'item', s: service, v: { kind: NEXT_NUMBER_KIND, id: 'next', owner: null, at, v: { next } } });
  return numbers;
}

/** Takes deleted badges' numbers away, so that they can be given again and nothing is kept of them. */
export async function forgetNumbers(tx: Tx, service: string, names: readonly string[]): Promise<void> {
  for (const [badge, n] of await badgeNumbers(tx, service, names)) {
    tx.put({ t: 'item-', s: service, k: BADGE_NUMBER_KIND, id: badge });
    tx.put({ t: 'item-', s: service, k: NUMBERED_KIND, id: String(n) });
  }
}
