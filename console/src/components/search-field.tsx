/**
 * Searching a paged list: the text as typed, the query once typing pauses, and the page offset,
 * which goes back to the first page whenever the text changes. Used by the tenants and residency
 * pages.
 */
import { useCallback, useId, useState } from 'react';
import { useDebounced } from './hooks.js';

export function useSearchPaging() {
  const [query, setTyped] = useState('');
  const [offset, setOffset] = useState(0);
  const q = useDebounced(query.trim());
  const setQuery = useCallback((text: string) => {
    setTyped(text);
    setOffset(0);
  }, []);
  return { query, setQuery, q, offset, setOffset };
}

export function SearchField({ label, placeholder, testId, value, onChange }: { label: string; placeholder: string; testId: string; value: string; onChange(text: string): void }) {
  const id = useId();
  return (
    <div className="toolbar">
      <div className="field field-inline">
        <label htmlFor={id}>{label}</label>
        <input id={id} type="search" data-testid={testId} value={value} placeholder={placeholder} onChange={(event) => onChange(event.target.value)} />
      </div>
    </div>
  );
}
