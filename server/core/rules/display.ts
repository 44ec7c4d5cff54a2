import { LIMITS } from '../../../types/constants.js';
import { invalid, notFound } from '../errors.js';
import type { UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { requireBadges } from './awards.js';
import { requireService } from './services.js';

export interface DisplayChoice {
  /** Badges shown first, in this order; held ones only. [] clears. */
  featured?: readonly string[];
  /** Badges left out of every public read of the user. [] clears. */
  hidden?: readonly string[];
}

/**
 * What a user shows (Discourse's featured badges, and badges hidden from the profile), set by the
 * owner site with the service's key: each list given replaces the one kept. A featured badge must be
 * held and not hidden; one revoked later simply stops being shown first. A hidden badge must be
 * registered, and is shown to nobody in public reads (the owner site reads the lists back with its key).
 */
export async function setDisplay(tx: Tx, service: string, name: string, choice: DisplayChoice): Promise<UserRecord> {
  await requireService(tx, service);
  const user = await tx.user(service, name);
  if (!user) throw notFound('user_not_found', `User "${name}" does not exist in service "${service}"`);
  const featured = choice.featured ? [...new Set(choice.featured)] : user.featured;
  const hidden = choice.hidden ? [...new Set(choice.hidden)] : user.hidden;
  if (choice.hidden) await requireBadges(tx, service, hidden!);
  if (featured && featured.length > LIMITS.featuredBadges) throw invalid('invalid_featured', `At most ${LIMITS.featuredBadges} badges may be featured`);
  if (choice.featured) {
    const held = new Set(user.awards.map((a) => a.badge));
    const notHeld = featured!.filter((badge) => !held.has(badge));
    if (notHeld.length > 0) throw invalid('not_held', `User "${name}" does not hold ${notHeld.join(', ')}: only badges held can be featured`, notHeld);
  }
  const both = featured?.filter((badge) => hidden?.includes(badge)) ?? [];
  if (both.length > 0) throw invalid('invalid_featured', `A badge cannot be featured and hidden: ${both.join(', ')}`, both);
  // Rebuilt in the order every store keeps a user's keys, the lists last.
  const { featured: _f, hidden: _h, ...rest } = user;
  const updated: UserRecord = { ...rest, ...(featured?.length ? { featured } : {}), ...(hidden?.length ? { hidden } : {}) };
  tx.put({ t: 'user', s: service, v: updated });
  tx.emit({ type: 'user.display_updated', service, user: name, featured: featured ?? [], hidden: hidden ?? [], at: tx.now.toISOString() });
  return updated;
}
