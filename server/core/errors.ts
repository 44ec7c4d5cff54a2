import type { JsonValue } from '../../types/api.js';

/**
 * What a rule refuses, as a value: a kind the edge maps to a status (HTTP in `server/http`, an exit
 * code in the CLI), a stable machine-readable code, and a message for people. The core knows no
 * transport.
 */
export type DomainErrorKind =
  | 'invalid' // the request itself is wrong
  | 'not_found'
  | 'conflict' // the request clashes with what exists
  | 'forbidden' // allowed for nobody in this state (a full test service, a quota reached)
  | 'too_many' // too many of these lately (an hourly quota): retry later
  | 'unavailable' // the store cannot take writes now (shutting down, failed)
  | 'storage_full'; // the store's disk is full: writes are refused until there is room

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: JsonValue,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (code: string, message: string, details?: JsonValue) => new DomainError('invalid', code, message, details);
export const notFound = (code: string, message: string) => new DomainError('not_found', code, message);
export const conflict = (code: string, message: string, details?: JsonValue) => new DomainError('conflict', code, message, details);
