/**
 * The richer badges of issue 10 as the widget reads them, declared on top of the v1 wire types
 * (`types/api.ts`) until those carry them. Types only: nothing here reaches the bundle.
 *
 * With `states=all`, `users.json` lists every listable badge of the service for each user, each
 * with its `state`; those not earned have `count: 0` and `latest: null`, and badges with a `goal`
 * may carry `progress`. Without it, users list only earned badges, with no `state`.
 */
import type { User, UserBadge, UsersResponse } from '../types/api.js';

/** Where a user stands with a badge. */
export type BadgeState = 'earned' | 'in_progress' | 'unearned';

/** How far a user is towards a badge's `goal`. (A type, not an interface: it is a JSON value.) */
export type BadgeProgress = {
  current: number;
  goal: number;
};

/** One entry of a badge's `badge_states` field: what to say and show for a badge in that state. */
export interface BadgeStateInfo {
  state: BadgeState;
  description?: string;
  image_url?: string;
}

/** One badge of one user, as `users.json?states=all` lists it. */
export interface StatedUserBadge extends Omit<UserBadge, 'latest'> {
  latest: string | null;
  state?: BadgeState;
  progress?: BadgeProgress;
}

export interface StatedUser extends Omit<User, 'badges'> {
  badges: StatedUserBadge[];
  /**
   * The badges the site features for this user, by name, in the order to show them (when the
   * server says; absent means none): the compact variants and `sort="tier"` put them first.
   */
  featured?: string[];
}

export interface StatedUsersResponse extends Omit<UsersResponse, 'users'> {
  users: StatedUser[];
}
