/**
 * Email addresses as the model keeps them. An address is normalised (trimmed, NFC, lower case: no
 * provider in use today tells "Ann@x.org" from "ann@x.org") so that the same person is found
 * whatever the spelling a site sends.
 *
 * A user's addresses are items of kind `email`: id the normalised address, owner the user, so that
 * both "whose is this address" (by id) and "which are this user's" (by owner) are one index away.
 */
export const EMAIL_KIND = 'email';

const SHAPE = /^[^\s@",;<>()[\]\\]{1,64}@(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/u;

/** The normalised address, or undefined when `text` is not an address. */
export function normalizeEmail(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const address = text.trim().normalize('NFC').toLowerCase();
  return address.length <= 254 && SHAPE.test(address) ? address : undefined;
}

/**
 * The data subject (see core/subjects.ts) of what is kept about an address no user has (yet): a
 * pending invitation. User names never hold "/", so it never names a user.
 */
export const addressSubject = (address: string) => `email/${address}`;
