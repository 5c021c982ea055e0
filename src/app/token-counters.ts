/** Loads the tokenizer each back end names, once per encoding, before the server listens. */
import type { BackendConfig } from '../config/types.js';
import type { TokenCounter } from '../spec/tokens.js';
import { loadTokenCounters } from '../tokenizers/token-counters.js';

/** Back-end id → its counter. */
export async function loadCounters(backends: readonly BackendConfig[]): Promise<Map<string, TokenCounter>> {
  const byName = await loadTokenCounters(backends.map((backend) => backend.tokenizer));
  const byBackend = new Map<string, TokenCounter>();
  for (const backend of backends) {
    const counter = byName.get(backend.tokenizer);
    if (counter !== undefined) byBackend.set(backend.id, counter);
  }
  return byBackend;
}
