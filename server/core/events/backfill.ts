import type { Domain } from '../domain.js';
import type { Item } from '../model.js';
import type { Store, Tx } from '../ports.js';
import { awardFor } from './award-for.js';
import { matches } from './evaluate.js';
import { KIND } from './kinds.js';
import { earnedAt, evaluateMeta } from './meta.js';
import { slices } from '../slices.js';
import { merged, Recompute } from './recompute.js';
import type { Occurrence, Rule, RuleValue } from './rule-model.js';
import { cancelExpiry, loadState, occurrence, saveState, scheduleExpiry } from './state.js';

/**
 * Backfill: a rule applied to the stored history, user by user, each user recomputed from all of
 * their stored events in a unit of work (so events arriving meanwhile are counted once), awarding
 * what the rule earned and has not yet awarded, dated by the event that earned it. Idempotent:
 * run twice, the second run awards nothing.
 */

export interface BackfillProgress {
  rev: string;
  status: 'running' | 'done' | 'stopped';
  startedAt: string;
  finishedAt?: string;
  /** Where the walk is: the last event (event rules) or user (badges rules) done. */
  cursor: { at: string; id: string } | string | null;
  /** Events (or users, for badges rules) walked so far, of `total` when it started. */
  scanned: number;
  total: number;
  users: number;
  awards: number;
  message?: string;
}

/** Events read per page, by a backfill of one user and by a preview. */
const PAGE = 1000;

/**
 * Applies the rule to one user's stored events; answers the awards made. The events are read and
 * counted a page at a time: a user with a long history holds the event loop no longer than a page.
 */
export async function backfillUser(tx: Tx, service: string, rule: Rule, user: string): Promise<number> {
  if (rule.condition === 'badges') return (await evaluateMeta(tx, service, rule, user)) ? 1 : 0;
  const counting = new Recompute(rule);
  const breathe = slices();
  for (let after: { at: string; id: string } | undefined; ; ) {
    const page = await tx.items(service, KIND.event, { owner: user, ...(after ? { after } : {}), limit: PAGE });
    await counting.add(page.map(occurrence), breathe);
    if (page.length < PAGE) break;
    after = { at: page.at(-1)!.at, id: page.at(-1)!.id };
  }
  const fresh = counting.result;
  const old = await loadState(tx, service, rule, user);
  const state = merged(old, fresh.state);
  let awards = 0;
  for (const event of fresh.earned.slice(old.a)) {
    const item = await tx.item(service, KIND.event, event.id);
    const v = item?.v as { p?: string; l?: string } | undefined;
    const cause = { rule: rule.id, event: event.id, ...(v?.p ? { preview: v.p } : {}), ...(v?.l ? { permalink: v.l } : {}) };
    if (await awardFor(tx, service, rule.badge, user, event.at, cause)) awards++;
    else state.a--;
  }
  if (fresh.state.n === 0 && old.n === 0 && old.a === 0) return 0;
  saveState(tx, service, rule, user, state);
  if (rule.revoke && state.a > 0) {
    if (fresh.holdsUntil) scheduleExpiry(tx, service, rule, user, fresh.holdsUntil);
    // The condition does not hold over the stored events: due now, the expiry job decides.
    else scheduleExpiry(tx, service, rule, user, tx.now.toISOString());
  } else if (rule.revoke) cancelExpiry(tx, service, rule, user);
  return awards;
}

export async function startBackfill(tx: Tx, service: string, rule: Rule, total: number): Promise<BackfillProgress> {
  const progress: BackfillProgress = { rev: rule.rev, status: 'running', startedAt: tx.now.toISOString(), cursor: null, scanned: 0, total, users: 0, awards: 0 };
  tx.put({ t: 'item', s: service, v: { kind: KIND.backfill, id: rule.id, owner: null, at: progress.startedAt, v: progress } });
  return progress;
}

export async function backfillProgress(store: Pick<Store, 'getItem'>, service: string, rule: string): Promise<BackfillProgress | undefined> {
  return (await store.getItem(service, KIND.backfill, rule))?.v as BackfillProgress | undefined;
}

/** Backfills done or stopped are filed this far ahead, out of the queue of due work (`dueItems`). */
export const NOT_DUE = '9999-12-31T00:00:00.000Z';

/** Users whose events were walked already by this run (a restart forgets them: redoing one is harmless). */
const walked = new Map<string, Set<string>>();

/**
 * One step of a running backfill: up to `chunk` events (or users) further, in one unit with the
 * progress. Answers whether there is more to do.
 */
export async function backfillStep(store: Store, domain: Domain, service: string, ruleId: string, chunk = 500): Promise<boolean> {
  const progress = await backfillProgress(store, service, ruleId);
  if (!progress || progress.status !== 'running') return false;
  const ruleItem = await store.getItem(service, KIND.rule, ruleId);
  const rule = ruleItem && ({ id: ruleId, ...(ruleItem.v as RuleValue) } as Rule);
  const runKey = `${service}\n${ruleId}\n${progress.startedAt}`;
  let users: string[];
  let cursor: BackfillProgress['cursor'];
  let scanned: number;
  if (!rule || rule.rev !== progress.rev) {
    users = [];
    cursor = progress.cursor;
    scanned = 0;
  } else if (rule.condition === 'badges') {
    const page = await store.usersAfter(service, typeof progress.cursor === 'string' ? progress.cursor : null, chunk);
    users = page.map((u) => u.name);
    cursor = page.at(-1)?.name ?? progress.cursor;
    scanned = page.length;
  } else {
    const after = progress.cursor && typeof progress.cursor === 'object' ? progress.cursor : undefined;
    const page: Item[] = await store.listItems(service, KIND.event, { ...(after ? { after } : {}), limit: chunk });
    let seen = walked.get(runKey);
    if (!seen) walked.set(runKey, (seen = new Set()));
    users = [...new Set(page.map((e) => e.owner!).filter((owner) => owner !== null && !seen!.has(owner)))];
    for (const user of users) seen.add(user);
    cursor = page.length > 0 ? { at: page.at(-1)!.at, id: page.at(-1)!.id } : progress.cursor;
    scanned = page.length;
  }
  const finished = !rule || rule.rev !== progress.rev || scanned < chunk;
  await domain.run(service, async (tx) => {
    const current = (await tx.item(service, KIND.backfill, ruleId))?.v as BackfillProgress | undefined;
    // Another instance took this step, or the backfill was restarted: leave it to them.
    if (!current || current.startedAt !== progress.startedAt || JSON.stringify(current.cursor) !== JSON.stringify(progress.cursor)) return;
    let awards = 0;
    if (rule && rule.rev === progress.rev) for (const user of users) awards += await backfillUser(tx, service, rule, user);
    const next: BackfillProgress = {
      ...current,
      cursor,
      scanned: current.scanned + scanned,
      users: current.users + users.length,
      awards: current.awards + awards,
      ...(finished
        ? { status: rule && rule.rev === progress.rev ? 'done' : 'stopped', finishedAt: tx.now.toISOString(), ...(rule && rule.rev === progress.rev ? {} : { message: 'The rule was changed or deleted; start a new backfill' }) }
        : {}),
    };
    tx.put({ t: 'item', s: service, v: { kind: KIND.backfill, id: ruleId, owner: null, at: next.status === 'running' ? current.startedAt : NOT_DUE, v: next } });
  });
  if (finished) walked.delete(runKey);
  return !finished;
}

export interface Preview {
  /** Users the rule would award now (who have not had its award yet). */
  users: number;
  awards: number;
  /** Events (or users) looked at. */
  scanned: number;
  sample: { user: string; awards: number; first: string }[];
}

/**
 * What a backfill of the rule would award now, changing nothing: one walk over the stored events
 * (or users), keeping only the events the rule counts, in slices that give the event loop back.
 */
export async function previewRule(store: Store, service: string, rule: Rule, sampleSize = 10): Promise<Preview> {
  const result: Preview = { users: 0, awards: 0, scanned: 0, sample: [] };
  const breathe = slices();
  const count = (user: string, awards: number, first: string) => {
    if (awards <= 0) return;
    result.users++;
    result.awards += awards;
    if (result.sample.length < sampleSize) result.sample.push({ user, awards, first });
  };
  if (rule.condition === 'badges') {
    for (let after: string | null = null; ; ) {
      const page = await store.usersAfter(service, after, PAGE);
      for (const user of page) {
        await breathe();
        result.scanned++;
        const at = earnedAt(rule, user.awards);
        if (at === undefined) continue;
        const state = (await store.getItem(service, KIND.state, `${rule.id}/${user.name}`))?.v as { r: string; a: number } | undefined;
        if (state?.r === rule.rev && state.a > 0) continue;
        count(user.name, 1, at);
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.name;
    }
    return result;
  }
  // Events come in (at, id) order, so each user's are counted as they come, a page at a time.
  const byUser = new Map<string, Recompute>();
  for (let after: { at: string; id: string } | undefined; ; ) {
    const page = await store.listItems(service, KIND.event, { ...(after ? { after } : {}), limit: PAGE });
    for (const item of page) {
      await breathe();
      result.scanned++;
      const event = occurrence(item);
      if (!matches(rule, event)) continue;
      let counting = byUser.get(item.owner!);
      if (!counting) byUser.set(item.owner!, (counting = new Recompute(rule)));
      await counting.add([event]);
    }
    if (page.length < PAGE) break;
    after = { at: page.at(-1)!.at, id: page.at(-1)!.id };
  }
  for (const [user, counting] of byUser) {
    const { earned } = counting.result;
    if (earned.length === 0) continue;
    const state = (await store.getItem(service, KIND.state, `${rule.id}/${user}`))?.v as { r: string; a: number } | undefined;
    const already = state?.r === rule.rev ? state.a : 0;
    count(user, earned.length - already, earned[already]?.at ?? '');
    await breathe();
  }
  return result;
}
