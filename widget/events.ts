import type { UserBadgesError } from './api.js';
import type { BadgeData } from './badge.js';

/** `detail` of `user-badges-load`: the badges are on screen (`found` is false for an unknown user). */
export interface UserBadgesLoadDetail {
  service: string;
  user: string;
  found: boolean;
  badges: BadgeData[];
}

/** `detail` of `user-badges-error`: the badges could not be loaded; the fallback content shows. */
export interface UserBadgesErrorDetail {
  service: string;
  user: string;
  error: UserBadgesError;
}

export type UserBadgesLoadEvent = CustomEvent<UserBadgesLoadDetail>;
export type UserBadgesErrorEvent = CustomEvent<UserBadgesErrorDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'user-badges-load': UserBadgesLoadEvent;
    'user-badges-error': UserBadgesErrorEvent;
  }
}

/** Dispatches a bubbling, composed event, so that a listener on `document` hears every embed. */
export function emit<K extends 'user-badges-load' | 'user-badges-error'>(
  target: EventTarget,
  type: K,
  detail: GlobalEventHandlersEventMap[K]['detail'],
): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

const said = new Set<string>();

/**
 * Tells the developer about a misconfiguration (a missing attribute, a misspelt service or theme)
 * in the console, once per page however many elements share it.
 */
export function warn(message: string): void {
  if (!said.has(message)) said.add(message), console.warn(message);
}
