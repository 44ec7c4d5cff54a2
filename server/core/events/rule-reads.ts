import type { Reads } from '../ports.js';
import { KIND } from './kinds.js';
import type { Rule, RuleValue } from './rule-model.js';

/** A service's rules as kept: read by the rules' own writes, evaluation, sweeps and the API. */

export async function listRules(tx: Pick<Reads, 'items'>, service: string): Promise<Rule[]> {
  return (await tx.items(service, KIND.rule)).map((item) => ({ id: item.id, ...(item.v as RuleValue) }));
}

export async function getRule(tx: Pick<Reads, 'item'>, service: string, id: string): Promise<Rule | undefined> {
  const item = await tx.item(service, KIND.rule, id);
  return item && { id, ...(item.v as RuleValue) };
}
