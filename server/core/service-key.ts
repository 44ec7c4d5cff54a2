import { randomBytes } from 'node:crypto';

/** A new secret key for a service: 32 random bytes, hex. */
export const newKey = () => randomBytes(32).toString('hex');
