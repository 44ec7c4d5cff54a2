import type { EventTypeRef } from './kinds.js';

/** What a rule checks: its badge is earned when the condition over a user's events or badges holds. */
export type Condition = 'count' | 'first' | 'days' | 'badges';

export interface RuleDefinition {
  badge: string;
  condition: Condition;
  /** count, first, days: the event types that count. */
  eventTypes?: EventTypeRef[];
  /** Only events whose `data` has these top-level values count. */
  data?: Record<string, string | number | boolean | null>;
  /**
   * count: how many events; days: how many distinct (UTC) days. Default 1. badges: how many of
   * `badges` a user must hold (BadgeKit's milestone, "any N of M"); default all of them.
   */
  count?: number;
  /** ISO-8601 duration (`P7D`, `PT12H`, `P2W`); absent or null: ever. */
  window?: string | null;
  /** Awarded again at every further `count`. */
  repeatable?: boolean;
  /** badges: the badges a user must hold (all, or `count` of them). */
  badges?: string[];
  /** Take the badge back when the condition stops holding (windowed and badges rules). */
  revoke?: boolean;
  description?: string;
}

export interface RuleValue extends RuleDefinition {
  /** Changes with every change of the definition: state kept for an older revision is ignored. */
  rev: string;
  createdAt: string;
  updatedAt: string;
}

export interface Rule extends RuleValue {
  id: string;
}

/** An event as rules see it. */
export interface Occurrence {
  id: string;
  at: string;
  type: string;
  data?: Record<string, unknown>;
}
