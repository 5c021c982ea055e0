/**
 * Sign-in: the admin token (operators), or single sign-on when nara.yaml configures OIDC. Either way
 * Nara answers with a session cookie; the token is sent once and not kept here. The session answer
 * says which of the two the server accepts, so the page offers only those, and says how to fix a
 * server that accepts neither instead of showing a form that can only fail.
 */
import { useId, useState, type FormEvent } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import type { SessionAnswer } from '../../../../src/spec/console-api.js';
import { apiSend, asApiError, type ApiError } from '../../api/client.js';
import { useDocumentTitle } from '../../components/hooks.js';
import { LangSelect } from '../../components/lang-select.js';
import { Loading } from '../../components/states.js';
import { useMessages, type Translate } from '../../i18n/index.js';
import { useSessionState } from '../../session.js';
import { signInMessages } from './messages.js';

type Messages = (typeof signInMessages)['en'];

/** Where to go after signing in: a console path only (never another site). */
export function safeNext(next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/signin')) return '/';
  return next;
}

/** Nara's login URL, told to come back to the page the user was sent away from (if any). */
function ssoHref(loginUrl: string, next: string): string {
  try {
    const url = new URL(loginUrl, window.location.origin);
    if (next !== '/') url.searchParams.set('return', `/console${next}`);
    return url.origin === window.location.origin ? url.pathname + url.search : url.href;
  } catch {
    return loginUrl;
  }
}

const knownCodes = ['invalid_admin_token', 'missing_admin_token', 'admin_api_disabled', 'oidc_no_role', 'oidc_no_tenant'] as const;

function messageFor(t: Translate<Messages>, code: string, sso: boolean): string {
  if ((knownCodes as readonly string[]).includes(code)) return t(`err_${code as (typeof knownCodes)[number]}`);
  return sso ? t('err_sso') : t('err_other');
}

/**
 * Whether the server takes the admin token. The type says `tokenSignIn` is always there, but a
 * console can be served against an older Nara whose answer lacks it (and whose token form always
 * worked), so the value is read as possibly missing, and missing means true.
 */
function acceptsToken(answer: SessionAnswer | undefined): boolean {
  return (answer as { tokenSignIn?: boolean } | undefined)?.tokenSignIn !== false;
}

export default function SignInPage() {
  const t = useMessages(signInMessages);
  const session = useSessionState();
  const search = new URLSearchParams(useSearch());
  const next = safeNext(search.get('next'));
  const ssoError = search.get('error');
  // Set by the redirect after a 401 session_expired (session.tsx): say why the user is here.
  const expired = search.get('expired') === '1';
  const [, navigate] = useLocation();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | 'empty'>();
  useDocumentTitle(t('title'));
  const tokenId = useId();
  const helpId = useId();
  const errorId = useId();

  if (session.answer?.signedIn === true && !busy) return <Redirect to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() === '') {
      setFailure('empty');
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const answer = await apiSend<SessionAnswer>('POST', '/admin/v1/session', { token: token.trim() });
      setToken('');
      session.setAnswer(answer.signedIn ? answer : { ...answer, signedIn: true });
      navigate(next, { replace: true });
    } catch (error) {
      setFailure(asApiError(error));
    } finally {
      setBusy(false);
    }
  };

  const oidc = session.answer?.oidc;
  const tokenSignIn = acceptsToken(session.answer);
  const shownError = failure ?? (ssoError === null ? undefined : ssoError);
  // Single sign-on is mentioned only where the server offers it.
  const introKey = tokenSignIn ? (oidc === undefined ? 'introTokenOnly' : 'intro') : oidc === undefined ? undefined : 'introSsoOnly';

  return (
    <div className="signin-shell">
      <header className="signin-header">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          Nara
        </span>
        <LangSelect />
      </header>
      <main id="main" className="signin-main">
        <section data-testid="page-signin" className="page signin-card">
          <h1>{t('title')}</h1>
          {introKey === undefined ? null : <p className="muted">{t(introKey)}</p>}
          {expired && shownError === undefined ? (
            <div className="notice notice-warning" role="status" data-testid="signin-expired">
              <p>{t('expired')}</p>
            </div>
          ) : null}
          {tokenSignIn || oidc !== undefined ? null : (
            <div className="notice notice-warning" data-testid="signin-unavailable">
              <p>
                <strong>{t('noSignInTitle')}</strong>
              </p>
              <p>{t('noSignIn')}</p>
            </div>
          )}

          {shownError === undefined ? null : (
            <div className="notice notice-error" role="alert" data-testid="signin-error" id={errorId}>
              <p className="state-title">{t('failed')}</p>
              {shownError === 'empty' ? (
                <p>{t('tokenRequired')}</p>
              ) : typeof shownError === 'string' ? (
                <p>
                  {messageFor(t, shownError, true)}{' '}
                  <span className="muted">
                    ({t('code')}: <code>{shownError}</code>)
                  </span>
                </p>
              ) : (
                <>
                  <p>
                    {shownError.code === 'network_error' || !(knownCodes as readonly string[]).includes(shownError.code) ? shownError.message : messageFor(t, shownError.code, false)}
                  </p>
                  <p className="muted">
                    {t('code')}: <code>{shownError.code}</code>
                    {shownError.requestId === null ? null : (
                      <>
                        {' · '}
                        <code>{shownError.requestId}</code>
                      </>
                    )}
                  </p>
                </>
              )}
            </div>
          )}

          {session.loading && session.answer === undefined ? <Loading /> : null}

          {oidc === undefined ? null : (
            <div className="signin-block">
              <h2>{t('ssoHeading')}</h2>
              <a className="button button-primary button-wide" data-testid="signin-oidc" href={ssoHref(oidc.loginUrl, next)}>
                {t('sso', { label: oidc.label })}
              </a>
            </div>
          )}

          {tokenSignIn ? (
            <form className="signin-block" onSubmit={(event) => void submit(event)} noValidate>
              <div className="field">
                <label htmlFor={tokenId}>{t('tokenLabel')}</label>
                <input
                  id={tokenId}
                  data-testid="signin-token"
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  value={token}
                  onChange={(event) => setToken(event.target.value)}
                  aria-describedby={failure === undefined ? helpId : `${helpId} ${errorId}`}
                  aria-invalid={failure !== undefined}
                />
                <p className="field-help" id={helpId}>
                  {t('tokenHelp')}
                </p>
              </div>
              <button type="submit" className="button button-primary" data-testid="signin-submit" disabled={busy}>
                {busy ? t('signingIn') : t('submit')}
              </button>
            </form>
          ) : null}
        </section>
      </main>
    </div>
  );
}
