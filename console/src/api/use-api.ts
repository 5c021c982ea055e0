/**
 * Reads one API resource into a component: fetched when the path or query changes, again on
 * reload(), and a slower answer to an older question never overwrites a newer one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiGet, asApiError, type ApiError, type Query } from './client.js';

export interface ApiState<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** A stable text for a query, so that a new object with the same values does not refetch. */
function queryKey(query: Query | undefined): string {
  if (query === undefined) return '';
  return JSON.stringify(Object.entries(query).filter(([, value]) => value !== undefined && value !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * `path` null: nothing is fetched (yet). While a new answer is on its way the previous data of the
 * same path stays visible (a page turn or an automatic refresh does not blank the table); another
 * path starts empty.
 */
export function useApi<T>(path: string | null, query?: Query): ApiState<T> {
  const key = queryKey(query);
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{ path: string | null; data: T | undefined; error: ApiError | undefined; loading: boolean }>({
    path,
    data: undefined,
    error: undefined,
    loading: path !== null,
  });
  const latest = useRef(0);
  const queryRef = useRef(query);
  queryRef.current = query;

  useEffect(() => {
    const ticket = ++latest.current;
    if (path === null) {
      setState({ path, data: undefined, error: undefined, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ path, data: previous.path === path ? previous.data : undefined, error: undefined, loading: true }));
    apiGet<T>(path, queryRef.current, controller.signal).then(
      (data) => {
        if (ticket === latest.current) setState({ path, data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted || ticket !== latest.current) return;
        setState({ path, data: undefined, error: asApiError(error), loading: false });
      },
    );
    return () => controller.abort();
  }, [path, key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  // Between a path change and its effect, the old path's answer is not this one's.
  const stale = state.path !== path;
  return { data: stale ? undefined : state.data, error: stale ? undefined : state.error, loading: stale ? path !== null : state.loading, reload };
}
