/**
 * Traffic figures summed into numbered slots (a time bucket, a tenant…): requests, errors, tokens,
 * cost per currency and a latency histogram, in one flat Float64Array so that adding a request is
 * a handful of writes to neighbouring numbers, and slots merge by adding them up. `GroupedFigures` hands out dense
 * slots to the ids a query meets, so a dictionary of a hundred thousand tenants does not cost a
 * hundred thousand histograms.
 */
import type { TrafficFigures } from '../spec/console-api.js';
import type { Dictionary } from './dictionary.js';
import { latencyBins, latencyPercentile } from './latency-histogram.js';

export class FigureSlots {
  #slots: number;
  readonly #currencies: number;
  /** Per slot, side by side so that one request touches one or two cache lines: see `stride`. */
  #data: Float64Array;
  /** requests, errors, tokens in, tokens out, cost per currency, then the latency histogram. */
  readonly #stride: number;

  /** `currencies`: the size of the currency dictionary (ids 0…currencies-1). */
  constructor(slots: number, currencies: number) {
    this.#slots = slots;
    this.#currencies = currencies;
    this.#stride = 4 + currencies + latencyBins;
    this.#data = new Float64Array(slots * this.#stride);
  }

  get slots(): number {
    return this.#slots;
  }

  requests(at: number): number {
    return this.#data[at * this.#stride]!;
  }

  /** Adds one request to slot `at`: its error flag (0 or 1), tokens, cost in `currency` (an id) and latency bin. */
  add(at: number, error: number, tokensIn: number, tokensOut: number, costMicros: number, currency: number, latencyBin: number): void {
    const data = this.#data;
    const base = at * this.#stride;
    data[base]! += 1;
    data[base + 1]! += error;
    data[base + 2]! += tokensIn;
    data[base + 3]! += tokensOut;
    data[base + 4 + currency]! += costMicros;
    data[base + 4 + this.#currencies + latencyBin]! += 1;
  }

  /** Adds slot `fromAt` of `from` (same currencies) into slot `at`. */
  merge(at: number, from: FigureSlots, fromAt: number): void {
    const base = at * this.#stride;
    const fromBase = fromAt * from.#stride;
    for (let field = 0; field < this.#stride; field++) this.#data[base + field]! += from.#data[fromBase + field]!;
  }

  figures(at: number, currencies: Dictionary): TrafficFigures {
    const data = this.#data;
    const base = at * this.#stride;
    const requests = data[base]!;
    const amounts: [string, number][] = [];
    // Id 0 is "no currency": a request nobody priced adds no cost.
    for (let currency = 1; currency < this.#currencies; currency++) {
      const micros = data[base + 4 + currency]!;
      if (micros > 0) amounts.push([currencies.valueOf(currency) ?? '', Math.round(micros)]);
    }
    const histogram = base + 4 + this.#currencies;
    return {
      requests,
      errors: data[base + 1]!,
      tokensIn: data[base + 2]!,
      tokensOut: data[base + 3]!,
      // fromEntries defines own properties: even a currency named __proto__ stays a plain key.
      cost: Object.fromEntries(amounts),
      latencyP50Ms: latencyPercentile(data, histogram, requests, 0.5),
      latencyP95Ms: latencyPercentile(data, histogram, requests, 0.95),
    };
  }

  /** Doubles the slots, keeping what was summed. */
  grow(): void {
    const grown = new Float64Array(this.#data.length * 2);
    grown.set(this.#data);
    this.#data = grown;
    this.#slots *= 2;
  }
}

/** Figures per id of one dictionary (tenant, model or back end). */
export class GroupedFigures {
  readonly #slotOfId: Int32Array;
  readonly #ids: number[] = [];
  readonly figures: FigureSlots;

  constructor(ids: number, currencies: number) {
    this.#slotOfId = new Int32Array(ids).fill(-1);
    this.figures = new FigureSlots(16, currencies);
  }

  add(id: number, error: number, tokensIn: number, tokensOut: number, costMicros: number, currency: number, latencyBin: number): void {
    this.figures.add(this.#slotFor(id), error, tokensIn, tokensOut, costMicros, currency, latencyBin);
  }

  /** The `limit` ids with most requests (ties by key), null ids shown as "(none)". */
  top(limit: number, keys: Dictionary, currencies: Dictionary): (TrafficFigures & { readonly key: string })[] {
    const figures = this.figures;
    const keyOf = (id: number): string => keys.valueOf(id) ?? '(none)';
    const order = this.#ids.map((id, at) => ({ id, at, key: keyOf(id) }));
    order.sort((a, b) => figures.requests(b.at) - figures.requests(a.at) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return order.slice(0, limit).map(({ at, key }) => ({ key, ...this.figures.figures(at, currencies) }));
  }

  #slotFor(id: number): number {
    let at = this.#slotOfId[id]!;
    if (at < 0) {
      at = this.#ids.length;
      if (at === this.figures.slots) this.figures.grow();
      this.#slotOfId[id] = at;
      this.#ids.push(id);
    }
    return at;
  }
}
