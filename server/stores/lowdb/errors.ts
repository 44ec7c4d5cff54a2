import { DomainError } from '../../core/errors.js';

/**
 * Storage could not save a write. The write was not applied (memory is rolled back to what is on
 * disk) and nothing of it will appear later; the store keeps answering reads and retries on its own,
 * so writes resume when storage does. `full` tells a full disk (or quota) from other I/O failures:
 * the HTTP layer answers 507 for the first and 503 for the second.
 */
export class StorageError extends Error {
  readonly full: boolean;

  constructor(message: string, options: { full: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'StorageError';
    this.full = options.full;
  }

  /** Wraps what the file system threw; a short write counts as a full disk. */
  static from(error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const code = (error as NodeJS.ErrnoException)?.code;
    const full = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
    return new StorageError(`${full ? 'Storage is full' : 'Storage failed'}: ${(error as Error)?.message ?? String(error)}`, { full, cause: error });
  }
}

/** What a short write throws: the kernel stores part of a buffer, without an error, when space runs out. */
export function shortWrite(written: number, wanted: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`short write: ${written} of ${wanted} bytes written (disk full?)`);
  error.code = 'ENOSPC';
  return error;
}

/** A write the journal could not take: nothing of it was applied, and it is safe to send again later. */
export function refusal(error: unknown): DomainError {
  const storage = StorageError.from(error);
  return storage.full
    ? new DomainError('storage_full', 'storage_full', "The server's storage is full; the write was not applied. Retry later.")
    : new DomainError('unavailable', 'store_failed', 'The server could not save the write; it was not applied. Retry later.');
}
