/**
 * Chooses among allowed candidates: the available, unsaturated one with the fewest requests in
 * flight per unit of weight. Ties go to the earliest in configuration order, which keeps a single
 * connection's traffic on one engine (warm prefix caches) until load spreads it.
 */
import type { BackendSlot } from './backend-slot.js';

export type Choice =
  | { readonly kind: 'chosen'; readonly index: number }
  | { readonly kind: 'none'; readonly reason: 'unavailable' | 'busy' };

const unavailable: Choice = { kind: 'none', reason: 'unavailable' };
const busy: Choice = { kind: 'none', reason: 'busy' };

/** `tried` holds the indexes already attempted by this request (undefined before the first). */
export function chooseBackend(candidates: readonly { readonly slot: BackendSlot }[], tried: ReadonlySet<number> | undefined): Choice {
  let best = -1;
  let bestLoad = Infinity;
  let sawBusy = false;
  for (let index = 0; index < candidates.length; index += 1) {
    const slot = (candidates[index] as { slot: BackendSlot }).slot;
    if (tried?.has(index) || !slot.available) continue;
    if (slot.saturated) {
      sawBusy = true;
      continue;
    }
    const load = slot.inFlight / slot.config.weight;
    if (load < bestLoad) {
      best = index;
      bestLoad = load;
    }
  }
  if (best !== -1) return { kind: 'chosen', index: best };
  return sawBusy ? busy : unavailable;
}
