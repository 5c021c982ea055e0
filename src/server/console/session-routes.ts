/**
 * Signing in and out of the console: `/admin/v1/session` (read, admin-token sign-in, sign-out) and
 * `/admin/v1/oidc/login|callback` (single sign-on). These routes need no credentials; each checks
 * what it is given. Failures of single sign-on send the browser back to the sign-in page with the
 * error code, since a person, not a script, is at the other end.
 */
import type { IncomingMessage } from 'node:http';
import type { SessionAnswer } from '../../spec/console-api.js';
import { NaraError, toNaraError } from '../../spec/errors.js';
import type { Reply } from '../admin-call.js';
import { isAdminToken } from '../admin-auth.js';
import type { ConsoleContext } from './console-context.js';
import { cookieValue, sessionCookie, sessionCookieHeader, tokenPrincipal } from './principal.js';

type OpenHandler = (call: { readonly request: IncomingMessage; readonly query: URLSearchParams; body(): Promise<unknown> }) => Promise<Reply>;

const loginStateCookie = 'nara_oidc_state';
const signInPage = '/console/signin';

export function sessionRoutes(path: string, context: ConsoleContext, adminToken: string | undefined): Readonly<Record<string, OpenHandler>> | undefined {
  if (path === '/admin/v1/session') {
    return {
      GET: async ({ request }) => ({ status: 200, json: sessionAnswer(context, request) }),
      POST: async ({ request, body }) => {
        const input = await body();
        const token = typeof input === 'object' && input !== null && 'token' in input ? (input as { token: unknown }).token : undefined;
        if (typeof token !== 'string' || token === '') throw new NaraError('invalid_request', 'Give the admin token as {"token": "..."}.', { param: 'token' });
        if (adminToken === undefined) throw new NaraError('invalid_admin_token', 'No admin token is set on this server: use single sign-on.');
        if (!isAdminToken(token, adminToken)) throw new NaraError('invalid_admin_token', 'Invalid admin token.');
        const previous = cookieValue(request.headers.cookie, sessionCookie);
        if (previous !== undefined) context.sessions.delete(previous);
        return startSession(context, { status: 200 }, tokenPrincipal);
      },
      DELETE: async ({ request }) => {
        const id = cookieValue(request.headers.cookie, sessionCookie);
        if (id !== undefined) context.sessions.delete(id);
        return { status: 200, json: { signedIn: false }, headers: { 'set-cookie': sessionCookieHeader(undefined, 0, context.settings().secureCookies) } };
      },
    };
  }
  if (path === '/admin/v1/oidc/login') {
    return {
      GET: async ({ request, query }) => {
        const login = context.oidc();
        if (login === undefined) return backToSignIn('oidc_not_configured');
        try {
          const started = await login.start(originOf(request, context.settings().secureCookies), safeReturn(query.get('return')));
          const secure = context.settings().secureCookies ? '; Secure' : '';
          // Lax, not Strict: the provider's redirect back is a cross-site navigation that must carry it.
          return { status: 302, redirect: started.url, headers: { 'set-cookie': `${loginStateCookie}=${started.state}; Path=/admin/v1/oidc; HttpOnly; SameSite=Lax; Max-Age=600${secure}` } };
        } catch (error) {
          return backToSignIn(toNaraError(error).code);
        }
      },
    };
  }
  if (path === '/admin/v1/oidc/callback') {
    return {
      GET: async ({ request }) => {
        const login = context.oidc();
        if (login === undefined) return backToSignIn('oidc_not_configured');
        try {
          const { principal, returnTo } = await login.finish(request.url ?? '', cookieValue(request.headers.cookie, loginStateCookie));
          const reply = startSession(context, { status: 302, redirect: returnTo }, principal);
          return reply;
        } catch (error) {
          return backToSignIn(toNaraError(error).code);
        }
      },
    };
  }
  return undefined;
}

function sessionAnswer(context: ConsoleContext, request: IncomingMessage): SessionAnswer {
  const login = context.oidc();
  const oidc = login === undefined ? undefined : { loginUrl: '/admin/v1/oidc/login?return=/console/', label: login.label };
  const id = cookieValue(request.headers.cookie, sessionCookie);
  const session = id === undefined ? undefined : context.sessions.get(id);
  if (session === undefined) return { signedIn: false, oidc };
  return { signedIn: true, principal: session.principal, oidc, expiresAt: new Date(session.expiresAt).toISOString() };
}

function startSession(context: ConsoleContext, base: { status: 200 } | { status: 302; redirect: string }, principal: SessionAnswer['principal'] & object): Reply {
  const settings = context.settings();
  const lifetimeMs = settings.sessionHours * 3_600_000;
  const session = context.sessions.create(principal, lifetimeMs);
  const headers = { 'set-cookie': sessionCookieHeader(session.id, lifetimeMs / 1000, settings.secureCookies) };
  if (base.status === 302) return { status: 302, redirect: base.redirect, headers };
  const answer: SessionAnswer = { signedIn: true, principal, expiresAt: new Date(session.expiresAt).toISOString() };
  return { status: 200, json: answer, headers };
}

function backToSignIn(code: string): Reply {
  return { status: 302, redirect: `${signInPage}?error=${encodeURIComponent(code)}` };
}

/** Only a path of the console itself: an open redirect would let a link send users anywhere. */
function safeReturn(value: string | null): string {
  if (value === null || !value.startsWith('/console/') || value.includes('//') || value.includes('\\')) return '/console/';
  return value.slice(0, 500);
}

function originOf(request: IncomingMessage, secure: boolean): string {
  const host = request.headers.host ?? '127.0.0.1';
  const forwarded = request.headers['x-forwarded-proto'];
  const scheme = forwarded === 'https' || secure ? 'https' : 'http';
  return `${scheme}://${host}`;
}
