/** The three states every page shows besides its data: loading, nothing there, and failure. */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import type { ApiState } from '../api/use-api.js';
import { useMessages } from '../i18n/index.js';
import { componentMessages } from './messages.js';

export function Loading({ label }: { label?: string }) {
  const t = useMessages(componentMessages);
  return (
    <div className="state state-loading" data-testid="state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('loading')}
    </div>
  );
}

export function EmptyState({ message }: { message?: string }) {
  const t = useMessages(componentMessages);
  return (
    <div className="state state-empty" data-testid="state-empty">
      <p>{message ?? t('empty')}</p>
    </div>
  );
}

/**
 * Nara's message (in English, as the API writes it), its error code and the request id to quote. When
 * Nara was not reached at all there is no code or request to quote: only that, and what to check.
 */
export function ErrorState({ error, onRetry }: { error: ApiError; onRetry?: (() => void) | undefined }) {
  const t = useMessages(componentMessages);
  const retry =
    onRetry === undefined ? null : (
      <button type="button" className="button" onClick={onRetry}>
        {t('retry')}
      </button>
    );
  if (isUnreachable(error)) {
    return (
      <div className="state state-error" data-testid="state-error" data-code={error.code} role="alert">
        <p className="state-message">{t('networkError')}</p>
        {retry}
      </div>
    );
  }
  return (
    <div className="state state-error" data-testid="state-error" data-code={error.code} role="alert">
      <p className="state-title">{t('errorTitle')}</p>
      <p className="state-message">{error.message}</p>
      <dl className="state-facts">
        <div>
          <dt>{t('code')}</dt>
          <dd>
            <code>{error.code}</code>
            {error.status > 0 ? <span className="muted"> (HTTP {error.status})</span> : null}
          </dd>
        </div>
        {error.requestId === null ? null : (
          <div>
            <dt>{t('requestId')}</dt>
            <dd>
              <code className="selectable">{error.requestId}</code>
            </dd>
          </div>
        )}
      </dl>
      {retry}
    </div>
  );
}

/** The browser got no answer from Nara (the client's own `network_error`, status 0): nothing was refused. */
export function isUnreachable(error: ApiError): boolean {
  return error.status === 0 && error.code === 'network_error';
}

interface DataViewProps<T> {
  readonly state: ApiState<T>;
  readonly isEmpty?: ((data: T) => boolean) | undefined;
  readonly empty?: string | undefined;
  readonly children: (data: T) => ReactNode;
}

/**
 * Shows whichever state `useApi` is in. While a newer answer loads, the previous data stays on screen
 * (marked busy) instead of flashing a spinner.
 */
export function DataView<T>({ state, isEmpty, empty, children }: DataViewProps<T>) {
  if (state.error !== undefined) return <ErrorState error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return state.loading ? <Loading /> : null;
  if (isEmpty?.(state.data) === true) return <EmptyState message={empty} />;
  return (
    <div className="data-view" aria-busy={state.loading}>
      {children(state.data)}
    </div>
  );
}
