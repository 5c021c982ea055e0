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

/** Nara's message (in English, as the API writes it), its error code and the request id to quote. */
export function ErrorState({ error, onRetry }: { error: ApiError; onRetry?: (() => void) | undefined }) {
  const t = useMessages(componentMessages);
  const message = error.code === 'network_error' ? t('networkError') : error.message;
  return (
    <div className="state state-error" data-testid="state-error" role="alert">
      <p className="state-title">{t('errorTitle')}</p>
      <p className="state-message">{message}</p>
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
      {onRetry === undefined ? null : (
        <button type="button" className="button" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
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
