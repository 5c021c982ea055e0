/**
 * Who is calling the admin API: the admin token's holder (an operator), or a console session
 * (cookie) whose principal came from the token or from single sign-on. Changes made through the
 * cookie must carry `x-nara-console: 1`: a cross-site page can make the browser send the cookie but
 * cannot add a custom header without a CORS preflight, which Nara never grants.
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../../spec/console-api.js';
import { NaraError } from '../../spec/errors.js';
import { authorizeAdmin } from '../admin-auth.js';
import type { ConsoleContext } from './console-context.js';

export const sessionCookie = 'nara_session';
export const csrfHeader = 'x-nara-console';

export const tokenPrincipal: Principal = { subject: 'admin', role: 'operator', via: 'token' };

export interface Caller {
  readonly principal: Principal;
  readonly by: 'bearer' | 'cookie';
}

/** Neither an admin token nor single sign-on: nobody can be an admin caller, so the admin API is off. */
export function adminCallersNone(adminToken: string | undefined, context: ConsoleContext): boolean {
  return adminToken === undefined && context.oidc() === undefined;
}

/** A session outlives nothing it depends on: the console being on, and a tenant admin's tenant. */
function sessionStillValid(context: ConsoleContext, principal: Principal): boolean {
  if (!context.settings().enabled) return false;
  return principal.role !== 'tenant_admin' || (principal.tenant !== undefined && context.tenantExists(principal.tenant));
}

export function identifyCaller(request: IncomingMessage, adminToken: string | undefined, context: ConsoleContext): Caller {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization !== '') {
    if (adminToken === undefined) throw new NaraError('invalid_admin_token', 'No admin token is set on this server: sign in to the console with single sign-on instead.');
    authorizeAdmin(authorization, adminToken);
    return { principal: tokenPrincipal, by: 'bearer' };
  }
  const id = cookieValue(request.headers.cookie, sessionCookie);
  if (id !== undefined) {
    const session = context.sessions.get(id);
    if (session === undefined || !sessionStillValid(context, session.principal)) {
      if (session !== undefined) context.sessions.delete(id);
      throw new NaraError('session_expired', 'Your console session has ended: sign in again.');
    }
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && request.headers[csrfHeader] !== '1') {
      throw new NaraError('csrf_header_missing', `Changes made with the console's session cookie must send the header "${csrfHeader}: 1".`);
    }
    return { principal: session.principal, by: 'cookie' };
  }
  throw new NaraError('missing_admin_token', 'Missing credentials: send "Authorization: Bearer <admin token>", or sign in to the console at /console/.');
}

/** One cookie's value from a Cookie header; undefined when absent or malformed. */
export function cookieValue(header: string | undefined, name: string, maxLength = 200): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() !== name) continue;
    const value = part.slice(at + 1).trim();
    return value.length <= maxLength && /^[A-Za-z0-9_-]+$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** The Set-Cookie value for a session (or its removal, with `id` undefined). */
export function sessionCookieHeader(id: string | undefined, maxAgeSeconds: number, secure: boolean): string {
  const parts = [`${sessionCookie}=${id ?? ''}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${id === undefined ? 0 : Math.floor(maxAgeSeconds)}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
