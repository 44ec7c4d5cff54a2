import { invalid } from '../errors.js';
import type { UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { termsOf } from '../terms.js';
import { awardChecked, requireBadges, type Skipped } from './awards.js';
import { checkQuota } from './quota.js';
import { requireService } from './services.js';

export interface ProgressMade {
  user: UserRecord;
  /** Badges whose goal this progress reached, awarded in the same unit. */
  awarded: string[];
  /** Goals reached whose award the badge's terms forbid now (see awards.ts). */
  skipped: Skipped[];
}

/**
 * Sets the user's progress towards badges with a `goal` (a value, not an increment: a retry sets the
 * same), creating the user. Reaching a goal awards the badge through the checked award, in the same
 * unit; so does a goal reached before whose award was skipped or revoked. A badge without a goal, or
 * not registered, refuses the whole request.
 */
/**
 * How far the user is towards the badge, if recorded. An own property only: progress comes back from
 * JSON as a plain object, where a badge named "constructor" would read its prototype's.
 */
export const progressOf = (progress: Readonly<Record<string, number>> | undefined, badge: string): number | undefined =>
  progress !== undefined && Object.hasOwn(progress, badge) ? progress[badge] : undefined;

export async function setProgress(tx: Tx, serviceName: string, userName: string, progress: Readonly<Record<string, number>>): Promise<ProgressMade> {
  const service = await requireService(tx, serviceName);
  const names = Object.keys(progress);
  const records = await requireBadges(tx, serviceName, names);
  const goals = new Map(names.map((name) => [name, termsOf(records.get(name)!.fields).goal]));
  const aimless = names.filter((name) => goals.get(name) === undefined);
  if (aimless.length > 0) throw invalid('no_goal', `Progress is kept only towards badges with a goal; these have none: ${aimless.join(', ')}`, aimless);

  const user = await tx.user(serviceName, userName);
  const before = user?.progress ?? {};
  const held = new Set(user?.awards.map((a) => a.badge));
  const reached = names.filter((name) => {
    const goal = goals.get(name)!;
    return progressOf(progress, name)! >= goal && (!((progressOf(before, name) ?? 0) >= goal) || !held.has(name));
  });
  const updated: UserRecord = { ...(user ?? { name: userName, createdAt: tx.now.toISOString(), awards: [] }), progress: { ...before, ...progress } };
  tx.put({ t: 'user', s: serviceName, v: updated });
  if (!user) await checkQuota(tx, service);
  if (reached.length === 0) return { user: updated, awarded: [], skipped: [] };
  const { user: after, skipped } = await awardChecked(tx, serviceName, userName, reached);
  const missed = new Set(skipped.map((s) => s.badge));
  return { user: after, awarded: reached.filter((name) => !missed.has(name)), skipped };
}
