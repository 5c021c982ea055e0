/**
 * A tenant key handed from the tenants page to the playground, kept in memory only: never in
 * localStorage or a cookie, gone on reload. A key is shown once and should not outlive the tab.
 */
import { useSyncExternalStore } from 'react';

export interface PlaygroundKey {
  readonly tenant: string;
  readonly key: string;
}

let current: PlaygroundKey | undefined;
const listeners = new Set<() => void>();

export function setPlaygroundKey(value: PlaygroundKey | undefined): void {
  current = value;
  for (const listener of listeners) listener();
}

export function getPlaygroundKey(): PlaygroundKey | undefined {
  return current;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePlaygroundKey(): PlaygroundKey | undefined {
  return useSyncExternalStore(subscribe, getPlaygroundKey, getPlaygroundKey);
}
