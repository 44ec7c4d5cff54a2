import type { Reads, Tx } from './ports.js';
import { requireService } from './rules/services.js';

/**
 * The segments a member is in, as CrowdTwist kept them: a list of segment ids (their
 * `subscription_id`), given by the site; a badge's `segment` terms (terms.ts) name the segments it
 * is for or not for, and every award checks them (rules/awards.ts). One item per member: id and
 * owner the user's name.
 */
export const SEGMENTS_KIND = 'segments';

/** The member's segment ids, ascending; none for a member never given any. */
export async function segmentsOf(tx: Reads, service: string, user: string): Promise<number[]> {
  const item = await tx.item(service, SEGMENTS_KIND, user);
  return item ? (item.v as { segments: number[] }).segments : [];
}

/** Puts the member in exactly these segments (none: out of every one). Awards already made stay. */
export async function setSegments(tx: Tx, service: string, user: string, segments: readonly number[]): Promise<number[]> {
  await requireService(tx, service);
  const sorted = [...new Set(segments)].sort((a, b) => a - b);
  if (sorted.length === 0) tx.put({ t: 'item-', s: service, k: SEGMENTS_KIND, id: user });
  else tx.put({ t: 'item', s: service, v: { kind: SEGMENTS_KIND, id: user, owner: user, at: tx.now.toISOString(), v: { segments: sorted } } });
  return sorted;
}
