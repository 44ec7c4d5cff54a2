import { nameProblem } from '../../types/schema.js';
import { REDEMPTION_KIND } from './access/claim-codes.js';
import { CLAIMED_KIND, INVITATION_KIND } from './access/invitations.js';
import { MESSAGE_KIND } from './access/webhooks.js';
import { AUDIT_KIND } from './audit.js';
import { addressSubject, EMAIL_KIND, normalizeEmail } from './email.js';
import { eventSubject } from './events.js';
import { KIND } from './events/kinds.js';
import { LIVE_KIND } from './live.js';
import { SEGMENTS_KIND } from './segments.js';
import type { Item } from './model.js';
import { AWARD_KIND } from './rules/instances.js';
import { APPLICATION_KIND, ASSIGNMENT_KIND, learnerSubject, REVIEW_KIND, type Learner } from './assessment/applications.js';

/**
 * Data subjects: whose personal data each record holds, so that a person's data can be found
 * whole, exported, moved to a new name and erased (issue 19). A user record is its user's; an item
 * names its subject in `subject`, indexed by every store.
 *
 * The subject is a user's name, or `email/<address>` (core/email.ts) for what is kept about an
 * address no user has: a pending invitation, an event refused for an address nobody had. A user's
 * data is theirs and their addresses' (`subjectsOf`).
 *
 * What each kind of item holds, by kind, written once: a unit fills in an item's subject from this
 * table when the rule that writes it leaves it out, and a store gives it to records written before
 * subjects existed. A rule that knows better (a delivery is its message's) says so itself. A kind
 * not listed holds nobody's data (rules, keys, endpoints, settings, claim codes, event types).
 */
const BY_KIND: Record<string, (item: Item) => string | null> = {
  [KIND.event]: (item) => item.owner,
  [KIND.activity]: (item) => item.owner,
  [KIND.state]: (item) => item.owner,
  [KIND.expiry]: (item) => item.owner,
  [EMAIL_KIND]: (item) => item.owner,
  [LIVE_KIND]: (item) => item.owner,
  [SEGMENTS_KIND]: (item) => item.owner,
  [REDEMPTION_KIND]: (item) => item.owner,
  [KIND.pending]: (item) => (item.owner === null ? null : addressSubject(item.owner)),
  [AWARD_KIND]: (item) => item.owner,
  [APPLICATION_KIND]: (item) => learnerSubject(item.v as Learner),
  [ASSIGNMENT_KIND]: (item) => learnerSubject(item.v as Learner),
  [REVIEW_KIND]: (item) => learnerSubject(item.v as Learner),
  [INVITATION_KIND]: (item) => (item.owner === null ? null : addressSubject(item.owner)),
  [CLAIMED_KIND]: (item) => stringOr((item.v as { user?: unknown }).user),
  [KIND.rejected]: (item) => subjectOfSent(parsed((item.v as { sent?: unknown }).sent)),
  [MESSAGE_KIND]: (item) => {
    const payload = parsed((item.v as { payload?: unknown }).payload) as { type?: unknown; data?: Record<string, unknown> } | undefined;
    return typeof payload?.type === 'string' ? eventSubject({ ...payload.data, type: payload.type }) : null;
  },
  [AUDIT_KIND]: (item) => {
    const entry = item.v as { action?: unknown };
    return typeof entry.action === 'string' ? eventSubject({ ...(item.v as object), type: entry.action }) : null;
  },
};

/** The kinds whose items hold someone's data. */
export const SUBJECT_KINDS = Object.keys(BY_KIND);

/** The subject of an item, as its kind says (see above). */
export function subjectOf(item: Item): string | null {
  return BY_KIND[item.kind]?.(item) ?? null;
}

/** The item with its subject: the one it names, else its kind's. */
export const withSubject = (item: Item): Item => (item.subject !== undefined ? item : { ...item, subject: subjectOf(item) });

/**
 * Whom an event as sent names (an event refused is kept with what was sent): its `user`, if that is
 * a user name, else its address. A caller that can look the address up names its user instead.
 */
export function subjectOfSent(sent: unknown): string | null {
  if (typeof sent !== 'object' || sent === null) return null;
  const { user, email } = sent as { user?: unknown; email?: unknown };
  if (nameProblem(user) === undefined) return (user as string).normalize('NFC');
  const address = normalizeEmail(email);
  return address === undefined ? null : addressSubject(address);
}

/** The subjects of a user's data: the user and each of their addresses. */
export const subjectsOf = (user: string, addresses: readonly string[]): string[] => [user, ...addresses.map(addressSubject)];

function parsed(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Cut to a few KB when kept: what cannot be read names nobody.
    return undefined;
  }
}

const stringOr = (value: unknown) => (typeof value === 'string' ? value : null);
