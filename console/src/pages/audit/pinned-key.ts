/**
 * The audit verifier key an auditor pinned in this browser (trust on first use). A verifier key is
 * public, so localStorage is fine for it; what pinning buys is that a later visit checks against the
 * key seen before rather than whatever this server publishes today, so a swapped key shows.
 */
import { useCallback, useSyncExternalStore } from 'react';

export const pinnedKeyStorageName = 'nara.audit.pinnedKey';

const listeners = new Set<() => void>();

function read(): string | null {
  try {
    const value = window.localStorage.getItem(pinnedKeyStorageName);
    return value === null || value.trim() === '' ? null : value.trim();
  } catch {
    // Storage blocked (a privacy setting): nothing is pinned.
    return null;
  }
}

/** Stores (or, with null, forgets) the pinned key; false when this browser refuses to store it. */
function write(key: string | null): boolean {
  try {
    if (key === null) window.localStorage.removeItem(pinnedKeyStorageName);
    else window.localStorage.setItem(pinnedKeyStorageName, key.trim());
  } catch {
    return false;
  }
  for (const listener of listeners) listener();
  return true;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab pinning or unpinning changes what this one verifies with.
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key === pinnedKeyStorageName) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function usePinnedKey(): { readonly pinned: string | null; pin(key: string): boolean; unpin(): boolean } {
  const pinned = useSyncExternalStore(subscribe, read, () => null);
  const pin = useCallback((key: string) => write(key), []);
  const unpin = useCallback(() => write(null), []);
  return { pinned, pin, unpin };
}
