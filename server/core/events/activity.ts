import { randomBytesPooled } from '../random.js';
import type { Reactor } from '../reactor.js';
import { KIND, type ActivityValue } from './kinds.js';

/**
 * The activity feed's award entries: one item per award and revocation, written in the unit that
 * made it (whatever made it: the API, a rule, a meta-badge). Event entries are the events themselves.
 */
export const activityEntries: Reactor = async (tx, events) => {
  for (const event of events) {
    if (event.type !== 'award.created' && event.type !== 'award.revoked') continue;
    const { cause } = event;
    const value: ActivityValue = {
      type: event.type === 'award.created' ? 'award' : 'revocation',
      badge: event.badge,
      count: event.count,
      ...(cause?.rule ? { rule: cause.rule } : {}),
      ...(cause?.event ? { event: cause.event } : {}),
      ...(cause?.preview ? { preview: cause.preview } : {}),
      ...(cause?.permalink ? { permalink: cause.permalink } : {}),
    };
    tx.put({ t: 'item', s: event.service, v: { kind: KIND.activity, id: randomBytesPooled(9).toString('base64url'), owner: event.user, at: event.at, v: value } });
  }
};
