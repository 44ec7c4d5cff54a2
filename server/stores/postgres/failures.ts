import { DomainError } from '../../core/errors.js';

/**
 * What callers are told when the database fails: `unavailable` (503, try again later), never the
 * database's own words, which name hosts and internals; those go to the store's `onError` (the log).
 */

export function unavailable(error: unknown, onError: (error: unknown) => void): DomainError {
  onError(error);
  return new DomainError('unavailable', 'store_failed', 'The database is unavailable; try again shortly');
}

export const notSaved = () => new DomainError('unavailable', 'store_failed', 'The database failed; the change was not saved');

/** The connection was lost during COMMIT: whether it committed cannot be known. */
export const maybeSaved = () => new DomainError('unavailable', 'store_failed', 'The database failed while saving the change; it may have been saved');
