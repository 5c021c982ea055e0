/**
 * Chooses among allowed candidates: the available, unsaturated one with the fewest requests in
 * flight per unit of weight. Ties go to the earliest in configuration order, which keeps a single
 * connection's traffic on one engine (warm prefix caches) until load spreads it.
 */
import type { BackendSlot } from './backend-slot.js';

export type Choice =
  | { readonly kind: 'chosen'; readonly slot: BackendSlot }
  | { readonly kind: 'none'; readonly reason: 'unavailable' | 'busy' };

export function chooseBackend(candidates: readonly BackendSlot[], tried: ReadonlySet<BackendSlot> | undefined): Choice {
  let best: BackendSlot | undefined;
  let bestLoad = Infinity;
  let sawBusy = false;
  for (const slot of candidates) {
    if (tried?.has(slot) || !slot.available) continue;
    if (slot.saturated) {
      sawBusy = true;
      continue;
    }
    const load = slot.inFlight / slot.config.weight;
    if (load < bestLoad) {
      best = slot;
      bestLoad = load;
    }
  }
  if (best !== undefined) return { kind: 'chosen', slot: best };
  return { kind: 'none', reason: sawBusy ? 'busy' : 'unavailable' };
}
