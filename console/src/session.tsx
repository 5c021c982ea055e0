/**
 * Who is signed in, and what their role lets the console show. The API enforces the same table
 * (docs/console.md) on every call: hiding what a role cannot do only spares people a 403.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import type { Principal, SessionAnswer } from '../../src/spec/console-api.js';
import { apiGet, apiSend, asApiError, onUnauthorized, signInPath, type ApiError } from './api/client.js';
import { ErrorState, Loading } from './components/states.js';

/** What the console can show; `.manage` areas are the writes within an area. */
export type Area =
  | 'overview'
  | 'residency'
  | 'tenants'
  | 'tenants.manage'
  | 'keys'
  | 'usage'
  | 'backends'
  | 'audit'
  | 'audit.checkpoint'
  | 'provenance'
  | 'safety'
  | 'playground'
  | 'eval';

const auditorAreas: ReadonlySet<Area> = new Set<Area>(['residency', 'audit', 'audit.checkpoint', 'provenance', 'safety']);
/** Everything about their own tenant, but no tenant's creation or deletion, no back ends, no eval runs. */
const tenantAdminAreas: ReadonlySet<Area> = new Set<Area>(['overview', 'residency', 'tenants', 'keys', 'usage', 'audit', 'provenance', 'safety', 'playground']);

export function can(principal: Principal, area: Area): boolean {
  switch (principal.role) {
    case 'operator':
      return true;
    case 'auditor':
      return auditorAreas.has(area);
    case 'tenant_admin':
      return tenantAdminAreas.has(area);
    default:
      return false;
  }
}

interface SessionState {
  readonly answer: SessionAnswer | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  refresh(): void;
  /** After signing in or out: the new answer, without asking again. */
  setAnswer(answer: SessionAnswer): void;
}

/** The answer after the session ends: how one may sign in again is unchanged, so it is kept. */
function signedOut(previous: SessionAnswer | undefined): SessionAnswer {
  return { signedIn: false, oidc: previous?.oidc, tokenSignIn: previous?.tokenSignIn ?? true };
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [answer, setAnswerState] = useState<SessionAnswer>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const [location, navigate] = useLocation();

  useEffect(() => {
    let current = true;
    setLoading(true);
    apiGet<SessionAnswer>('/admin/v1/session').then(
      (next) => {
        if (!current) return;
        setAnswerState(next);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(asApiError(failure));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [nonce]);

  // A 401 anywhere means the session is gone (expired, or the server restarted): back to sign-in,
  // returning afterwards to where the user was.
  useEffect(
    () =>
      onUnauthorized((failure) => {
        setAnswerState((previous) => signedOut(previous));
        if (!location.startsWith('/signin')) navigate(signInPath(location, failure));
      }),
    [location, navigate],
  );

  const refresh = useCallback(() => setNonce((n) => n + 1), []);
  const setAnswer = useCallback((next: SessionAnswer) => {
    setAnswerState(next);
    setError(undefined);
    setLoading(false);
  }, []);
  const state = useMemo(() => ({ answer, error, loading, refresh, setAnswer }), [answer, error, loading, refresh, setAnswer]);
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (state === undefined) throw new Error('useSessionState() outside <SessionProvider>');
  return state;
}

interface SignedIn {
  readonly principal: Principal;
  signOut(): Promise<void>;
}

const PrincipalContext = createContext<SignedIn | undefined>(undefined);

/** Renders its children only for a signed-in user; anyone else goes to the sign-in page. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { answer, error, loading, refresh, setAnswer } = useSessionState();
  const [location, navigate] = useLocation();
  const search = useSearch();
  const principal = answer?.signedIn === true ? answer.principal : undefined;

  const signedIn = useMemo<SignedIn | undefined>(() => {
    if (principal === undefined) return undefined;
    return {
      principal,
      signOut: async () => {
        try {
          await apiSend('DELETE', '/admin/v1/session');
        } catch {
          // Signed out here either way; the cookie expires on its own.
        }
        setAnswer(signedOut(answer));
        navigate('/signin');
      },
    };
  }, [principal, answer, setAnswer, navigate]);

  if (error !== undefined && answer === undefined) return <ErrorState error={error} onRetry={refresh} />;
  if (answer === undefined) return loading ? <Loading /> : null;
  if (signedIn === undefined) {
    const here = location + (search === '' ? '' : `?${search}`);
    return <Redirect to={here === '/' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`} replace />;
  }
  return <PrincipalContext.Provider value={signedIn}>{children}</PrincipalContext.Provider>;
}

export function useSession(): SignedIn {
  const state = useContext(PrincipalContext);
  if (state === undefined) throw new Error('useSession() outside a signed-in page');
  return state;
}
