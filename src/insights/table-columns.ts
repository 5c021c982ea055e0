/**
 * The layout of an EventTable: the typed arrays it keeps a row in (`Columns`) and the read-only
 * view the query modules get (`TableColumns`).
 */
import type { DimensionColumns, DimensionDictionaries } from './dimension-book.js';
import type { SafetyProfile } from './safety-profile.js';

/**
 * The columns as the query modules of src/insights read them (live arrays: read, never write).
 * Row r, counted from the oldest (0) to the newest (count - 1), lives at slot (head + r) mod capacity.
 */
export interface TableColumns extends DimensionDictionaries {
  readonly count: number;
  readonly head: number;
  readonly capacity: number;
  /** No row's time is before the previous row's: a time window can be found by binary search. */
  readonly sorted: boolean;
  readonly time: Float64Array;
  readonly latencyUs: Uint32Array;
  readonly latencyBin: Uint8Array;
  readonly status: Uint16Array;
  readonly tokensIn: Uint32Array;
  readonly tokensOut: Uint32Array;
  readonly costMicros: Float32Array;
  /** Each row's combination id; its parts are in `dim`, indexed by that id. */
  readonly dims: Uint32Array;
  readonly dim: DimensionColumns;
  /** Combinations held: ids 0…dimCount-1. */
  readonly dimCount: number;
  readonly profile: Uint32Array;
  readonly profiles: readonly SafetyProfile[];
  indexAt(slot: number): number;
  requestIdAt(slot: number): string;
  requestIdIs(slot: number, requestId: string): boolean;
}

export interface Columns {
  time: Float64Array;
  /** The leaf index modulo 2^32: rows rise in index, so it is read relative to the oldest row's. */
  leafLow: Uint32Array;
  latencyUs: Uint32Array;
  latencyBin: Uint8Array;
  status: Uint16Array;
  tokensIn: Uint32Array;
  tokensOut: Uint32Array;
  /** Float32: a dashboard's sums need no more than 7 significant digits a request. */
  costMicros: Float32Array;
  dims: Uint32Array;
  profile: Uint32Array;
  requestIdHandle: Uint32Array;
  /** The id's form in the ring (text-ring.ts), or `heldAside` for an id kept in `#asideIds`. */
  requestIdForm: Uint8Array;
}

/** The request-id form of an id the table keeps aside (too long, or not ASCII). */
export const heldAside = 255;

export function allocate(capacity: number): Columns {
  return {
    time: new Float64Array(capacity),
    leafLow: new Uint32Array(capacity),
    latencyUs: new Uint32Array(capacity),
    latencyBin: new Uint8Array(capacity),
    status: new Uint16Array(capacity),
    tokensIn: new Uint32Array(capacity),
    tokensOut: new Uint32Array(capacity),
    costMicros: new Float32Array(capacity),
    dims: new Uint32Array(capacity),
    profile: new Uint32Array(capacity),
    requestIdHandle: new Uint32Array(capacity),
    requestIdForm: new Uint8Array(capacity),
  };
}
