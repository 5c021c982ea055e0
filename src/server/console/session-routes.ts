/**
 * Signing in and out of the console: `/admin/v1/session` (read, admin-token sign-in, sign-out) and
 * `/admin/v1/oidc/login|callback` (single sign-on). These routes need no credentials; each checks
 * what it is given. Failures of single sign-on send the browser back to the sign-in page with the
 * error code, since a person, not a script, is at the other end. Every sign-in, refusal and
 * sign-out is logged with who (never a token or cookie).
 */
import type { IncomingMessage } from 'node:http';
import type { Principal, SessionAnswer } from '../../spec/console-api.js';
import { NaraError, toNaraError } from '../../spec/errors.js';
import type { Reply } from '../admin-call.js';
import { isAdminToken } from '../admin-auth.js';
import type { ConsoleContext } from './console-context.js';
import { cookieValue, csrfHeader, sessionCookie, sessionCookieHeader, tokenPrincipal } from './principal.js';

type OpenHandler = (call: { readonly request: IncomingMessage; readonly query: URLSearchParams; body(): Promise<unknown> }) => Promise<Reply>;

/** Who signed in or out, or why not: for the operator's records. */
export type SignInLog = (facts: Readonly<Record<string, string>>, message: string) => void;

const loginStateCookie = 'nara_oidc_state';
const signInPage = '/console/signin';

export function sessionRoutes(path: string, context: ConsoleContext, adminToken: string | undefined, log: SignInLog): Readonly<Record<string, OpenHandler>> | undefined {
  if (path === '/admin/v1/session') {
    return {
      GET: async ({ request }) => ({ status: 200, json: sessionAnswer(context, request, adminToken !== undefined) }),
      POST: async ({ request, body }) => {
        requireCsrfHeader(request);
        const input = await body();
        const token = typeof input === 'object' && input !== null && 'token' in input ? (input as { token: unknown }).token : undefined;
        if (typeof token !== 'string' || token === '') throw new NaraError('invalid_request', 'Give the admin token as {"token": "..."}.', { param: 'token' });
        if (adminToken === undefined) throw new NaraError('invalid_admin_token', 'No admin token is set on this server: use single sign-on.');
        if (!isAdminToken(token, adminToken)) {
          log({ via: 'token' }, 'console sign-in refused: wrong admin token');
          throw new NaraError('invalid_admin_token', 'Invalid admin token.');
        }
        endPrevious(context, request);
        log({ subject: tokenPrincipal.subject, role: tokenPrincipal.role, via: 'token' }, 'console sign-in');
        const session = startSession(context, tokenPrincipal);
        const answer: SessionAnswer = { signedIn: true, principal: tokenPrincipal, expiresAt: session.expiresAt, tokenSignIn: true };
        return { status: 200, json: answer, headers: { 'set-cookie': session.cookie } };
      },
      DELETE: async ({ request }) => {
        requireCsrfHeader(request);
        const id = cookieValue(request.headers.cookie, sessionCookie);
        const session = id === undefined ? undefined : context.sessions.get(id);
        if (id !== undefined) context.sessions.delete(id);
        if (session !== undefined) log({ subject: session.principal.subject, role: session.principal.role }, 'console sign-out');
        return { status: 200, json: { signedIn: false }, headers: { 'set-cookie': sessionCookieHeader(undefined, 0, context.settings().secureCookies) } };
      },
    };
  }
  if (path === '/admin/v1/oidc/login') {
    return {
      GET: async ({ request, query }) => {
        const login = context.oidc();
        if (login === undefined || !context.settings().enabled) return backToSignIn(login === undefined ? 'oidc_not_configured' : 'console_disabled');
        try {
          const started = await login.start(originOf(request, context.settings().secureCookies), safeReturn(query.get('return')));
          return { status: 302, redirect: started.url, headers: { 'set-cookie': loginCookie(started.sealed, context.settings().secureCookies) } };
        } catch (error) {
          const failure = toNaraError(error);
          log({ code: failure.code, reason: failure.message }, 'console sign-in refused');
          return backToSignIn(failure.code);
        }
      },
    };
  }
  if (path === '/admin/v1/oidc/callback') {
    return {
      GET: async ({ request }) => {
        const login = context.oidc();
        const clear = loginCookie(undefined, context.settings().secureCookies);
        if (login === undefined) return backToSignIn('oidc_not_configured', clear);
        try {
          const { principal, returnTo } = await login.finish(request.url ?? '', cookieValue(request.headers.cookie, loginStateCookie, 4_096));
          endPrevious(context, request);
          log({ subject: principal.subject, role: principal.role, via: 'oidc', ...(principal.tenant === undefined ? {} : { tenant: principal.tenant }) }, 'console sign-in');
          const session = startSession(context, principal);
          return { status: 302, redirect: returnTo, headers: { 'set-cookie': [session.cookie, clear] } };
        } catch (error) {
          const failure = toNaraError(error);
          log({ code: failure.code, reason: failure.message }, 'console sign-in refused');
          return backToSignIn(failure.code, clear);
        }
      },
    };
  }
  return undefined;
}

function sessionAnswer(context: ConsoleContext, request: IncomingMessage, tokenSignIn: boolean): SessionAnswer {
  const login = context.oidc();
  const oidc = login === undefined ? undefined : { loginUrl: '/admin/v1/oidc/login?return=/console/', label: login.label };
  const id = cookieValue(request.headers.cookie, sessionCookie);
  const session = id === undefined ? undefined : context.sessions.get(id);
  if (session === undefined) return { signedIn: false, oidc, tokenSignIn };
  return { signedIn: true, principal: session.principal, oidc, expiresAt: new Date(session.expiresAt).toISOString(), tokenSignIn };
}

function startSession(context: ConsoleContext, principal: Principal): { readonly cookie: string; readonly expiresAt: string } {
  const settings = context.settings();
  if (!settings.enabled) throw new NaraError('console_disabled', 'The web console is off on this server (console.enabled: false).');
  const lifetimeMs = settings.sessionHours * 3_600_000;
  const session = context.sessions.create(principal, lifetimeMs);
  return { cookie: sessionCookieHeader(session.id, lifetimeMs / 1000, settings.secureCookies), expiresAt: new Date(session.expiresAt).toISOString() };
}

/** A new sign-in ends the session the browser had (no two live sessions for one cookie jar). */
function endPrevious(context: ConsoleContext, request: IncomingMessage): void {
  const previous = cookieValue(request.headers.cookie, sessionCookie);
  if (previous !== undefined) context.sessions.delete(previous);
}

/** Sign-in and sign-out change state too: the same cross-site rule as every cookie change. */
function requireCsrfHeader(request: IncomingMessage): void {
  if (request.headers[csrfHeader] !== '1') throw new NaraError('csrf_header_missing', `Signing in and out from a browser must send the header "${csrfHeader}: 1".`);
}

function loginCookie(sealed: string | undefined, secure: boolean): string {
  // Lax, not Strict: the provider's redirect back is a cross-site navigation that must carry it.
  return `${loginStateCookie}=${sealed ?? ''}; Path=/admin/v1/oidc; HttpOnly; SameSite=Lax; Max-Age=${sealed === undefined ? 0 : 600}${secure ? '; Secure' : ''}`;
}

function backToSignIn(code: string, clearCookie?: string): Reply {
  return { status: 302, redirect: `${signInPage}?error=${encodeURIComponent(code)}`, ...(clearCookie === undefined ? {} : { headers: { 'set-cookie': clearCookie } }) };
}

/** Only a plain path of the console itself: an open redirect would let a link send users anywhere. */
function safeReturn(value: string | null): string {
  if (value === null || !/^\/console\/[A-Za-z0-9/_.~%?=&-]{0,400}$/.test(value) || value.includes('//') || value.includes('/..')) return '/console/';
  return value;
}

/**
 * Where the provider sends the browser back, when console.oidc.redirectUrl does not say: from the
 * Host header, which the provider checks against the redirect URLs registered for the client.
 */
function originOf(request: IncomingMessage, secure: boolean): string {
  const host = request.headers.host ?? '127.0.0.1';
  const scheme = request.headers['x-forwarded-proto'] === 'https' || secure ? 'https' : 'http';
  return `${scheme}://${host}`;
}
