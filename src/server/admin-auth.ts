/**
 * The admin token check, shared by /admin, /audit proofs and the console's sign-in: constant time,
 * over SHA-256 digests so that not even the token's length leaks.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { NaraError } from '../spec/errors.js';

const tenantKeyPrefix = 'nara-';

/** Bearer <admin token>, and nothing else: in particular never a tenant key. */
export function authorizeAdmin(authorization: string | undefined, adminToken: string): void {
  if (authorization === undefined || authorization === '') {
    throw new NaraError('missing_admin_token', 'Missing admin token: send "Authorization: Bearer <admin token>".');
  }
  const token = authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ' ? authorization.slice(7).trim() : '';
  if (token === '') throw new NaraError('invalid_admin_token', 'The Authorization header must be "Bearer <admin token>".');
  if (isAdminToken(token, adminToken)) return;
  if (token.startsWith(tenantKeyPrefix)) {
    throw new NaraError('invalid_admin_token', 'This looks like a tenant API key: tenant API keys are never accepted on /admin. Send the admin token.');
  }
  throw new NaraError('invalid_admin_token', 'Invalid admin token.');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The admin token as typed on the console's sign-in page (no "Bearer"). */
export function isAdminToken(candidate: string, adminToken: string): boolean {
  return timingSafeEqual(sha256(candidate), sha256(adminToken));
}
