import { normalizeEmail } from '../core/email.js';
import { badRequest } from './errors.js';

/**
 * Who a request names, BadgeKit's way: a `user`, or an `email` (normalised; the model finds the
 * user who has it, if anyone does). Exactly one of the two.
 */
export function learnerFrom(body: { user?: string; email?: string }, what: string): { user: string } | { email: string } {
  if ((body.user === undefined) === (body.email === undefined)) throw badRequest('invalid_body', `${what} names a "user" or an "email", one of them`);
  if (body.user !== undefined) return { user: body.user };
  const email = normalizeEmail(body.email);
  if (email === undefined) throw badRequest('invalid_email', `"${body.email}" is not an email address`);
  return { email };
}
