/**
 * Audit events held column-wise for the console's figures: one typed array per fact, the string
 * facts folded into one combination id (dimension-book.ts), so a row costs about 60 bytes plus its
 * request id instead of a heap object graph per event, and a query scans flat arrays. Rows are kept
 * in arrival (leaf index) order; once `maxEvents` rows are held the table is a ring buffer and each
 * new row drops the OLDEST one, so figures cover the most recent `maxEvents` events only (`size`).
 */
import type { AuditEvent } from '../spec/audit.js';
import { Dictionary } from './dictionary.js';
import { DimensionBook, type DimensionDictionaries } from './dimension-book.js';
import { latencyBinOf } from './latency-histogram.js';
import { ProfileBook } from './safety-profile.js';
import { allocate, heldAside, type Columns, type TableColumns } from './table-columns.js';
import { TextRing } from './text-ring.js';

export type { TableColumns } from './table-columns.js';

/** What the server knows of an event beyond the event itself. */
export interface IngestFacts {
  /** The request's cost in micro-units of `currency`; not counted when `currency` is null. */
  readonly costMicros: number;
  readonly currency: string | null;
}

const maxUint32 = 0xffff_ffff;

/** A whole number in [0, max]; anything else (NaN, negative) reads as 0. */
function clampCount(value: number, max = maxUint32): number {
  return value > 0 ? Math.min(Math.round(value), max) : 0;
}

export class EventTable {
  readonly #maxEvents: number;
  #capacity: number;
  #c: Columns;
  #head = 0;
  #count = 0;
  /** The oldest row's leaf index in full, the base the others' low 32 bits are read against. */
  #oldestIndex = 0;
  #lastIndex = -1;
  /** Adjacent pairs of held rows whose times go backwards; 0 means sorted. */
  #inversions = 0;
  readonly #requestIds = new TextRing();
  readonly #asideIds = new Map<number, string>();
  readonly #dictionaries: DimensionDictionaries = {
    tenants: new Dictionary(),
    models: new Dictionary(),
    backends: new Dictionary(),
    places: new Dictionary(),
    codes: new Dictionary(),
    currencies: new Dictionary(),
  };
  readonly #dimensions = new DimensionBook(this.#dictionaries);
  readonly #profiles = new ProfileBook();

  constructor(options: { maxEvents?: number } = {}) {
    const maxEvents = options.maxEvents ?? 1_000_000;
    if (!Number.isSafeInteger(maxEvents) || maxEvents < 1) throw new RangeError(`maxEvents must be a positive integer, not ${maxEvents}`);
    this.#maxEvents = maxEvents;
    // Columns grow by doubling up to maxEvents, so a small log does not reserve a million rows.
    this.#capacity = Math.min(maxEvents, 1024);
    this.#c = allocate(this.#capacity);
  }

  /**
   * Adds the event stored at leaf `index`. Leaves come in increasing index order; a leaf at or
   * below the last one added (the tail read again after a reload) is already held and is ignored.
   * A time earlier than the previous row's is accepted: queries then scan instead of searching.
   */
  add(index: number, event: AuditEvent, facts: IngestFacts): void {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`a leaf index must be a non-negative integer, not ${index}`);
    if (index <= this.#lastIndex) return;
    if (this.#count === this.#capacity) {
      if (this.#capacity < this.#maxEvents) this.#grow();
      else this.#dropOldest();
    }
    const c = this.#c;
    const slot = this.#slotOf(this.#count);
    const parsed = Date.parse(event.time);
    // An unreadable time files the row at the epoch: listed, but outside any real window.
    const time = Number.isFinite(parsed) ? parsed : 0;
    if (this.#count === 0) this.#oldestIndex = index;
    else if (time < c.time[this.#slotOf(this.#count - 1)]!) this.#inversions++;
    c.time[slot] = time;
    c.leafLow[slot] = index >>> 0;
    // Microseconds in 32 bits: up to 71 minutes, longer than any request the gateway lets run.
    c.latencyUs[slot] = clampCount(event.latencyMs * 1000);
    c.latencyBin[slot] = latencyBinOf(event.latencyMs);
    c.status[slot] = clampCount(event.status, 0xffff);
    c.tokensIn[slot] = clampCount(event.usage?.prompt ?? 0);
    c.tokensOut[slot] = clampCount(event.usage?.completion ?? 0);
    c.costMicros[slot] = facts.currency !== null && facts.costMicros > 0 ? facts.costMicros : 0;
    c.dims[slot] = this.#dimensions.idFor({
      tenant: event.tenant,
      model: event.model,
      backend: event.backend,
      jurisdiction: event.jurisdiction,
      home: event.homeJurisdiction,
      code: event.code,
      currency: facts.currency,
      crossBorder: event.crossBorder,
    });
    c.profile[slot] = this.#profiles.idFor(event);
    this.#storeRequestId(slot, event.requestId);
    this.#count++;
    this.#lastIndex = index;
  }

  /** Rows held. */
  get size(): number {
    return this.#count;
  }

  /** Leaf index of the oldest row held. */
  get firstIndex(): number | undefined {
    return this.#count === 0 ? undefined : this.#oldestIndex;
  }

  /** For the query modules of src/insights: the live columns, valid until the next `add`. */
  get columns(): TableColumns {
    const c = this.#c;
    return {
      // Listed one by one, not spread: the query loops read this object, and a literal keeps it fast.
      tenants: this.#dictionaries.tenants,
      models: this.#dictionaries.models,
      backends: this.#dictionaries.backends,
      places: this.#dictionaries.places,
      codes: this.#dictionaries.codes,
      currencies: this.#dictionaries.currencies,
      count: this.#count,
      head: this.#head,
      capacity: this.#capacity,
      sorted: this.#inversions === 0,
      time: c.time,
      latencyUs: c.latencyUs,
      latencyBin: c.latencyBin,
      status: c.status,
      tokensIn: c.tokensIn,
      tokensOut: c.tokensOut,
      costMicros: c.costMicros,
      dims: c.dims,
      dim: this.#dimensions.columns,
      dimCount: this.#dimensions.size,
      profile: c.profile,
      profiles: this.#profiles.profiles,
      indexAt: (slot) => this.#indexAt(slot),
      requestIdAt: (slot) => this.#requestIdAt(slot),
      requestIdIs: (slot, requestId) => this.#requestIdIs(slot, requestId),
    };
  }

  #slotOf(row: number): number {
    const slot = this.#head + row;
    return slot >= this.#capacity ? slot - this.#capacity : slot;
  }

  /** Exact while the rows held span fewer than 2^32 leaves. */
  #indexAt(slot: number): number {
    const low = this.#c.leafLow;
    return this.#oldestIndex + ((low[slot]! - low[this.#head]!) >>> 0);
  }

  #grow(): void {
    // Only before the ring first wraps (head is 0), so slots keep their numbers.
    const capacity = Math.min(this.#capacity * 2, this.#maxEvents);
    const next = allocate(capacity);
    for (const key of Object.keys(next) as (keyof Columns)[]) next[key].set(this.#c[key]);
    this.#c = next;
    this.#capacity = capacity;
  }

  #dropOldest(): void {
    const c = this.#c;
    const slot = this.#head;
    const form = c.requestIdForm[slot]!;
    if (form === heldAside) this.#asideIds.delete(slot);
    else this.#requestIds.release(c.requestIdHandle[slot]!, form);
    if (this.#count > 1) {
      const next = this.#slotOf(1);
      if (c.time[next]! < c.time[slot]!) this.#inversions--;
      this.#oldestIndex = this.#indexAt(next);
    }
    this.#head = this.#slotOf(1);
    this.#count--;
  }

  #storeRequestId(slot: number, requestId: string): void {
    const c = this.#c;
    c.requestIdHandle[slot] = this.#requestIds.nextHandle;
    const form = this.#requestIds.push(requestId);
    if (form >= 0) {
      c.requestIdForm[slot] = form;
      return;
    }
    this.#asideIds.set(slot, requestId);
    c.requestIdForm[slot] = heldAside;
  }

  #requestIdAt(slot: number): string {
    const form = this.#c.requestIdForm[slot]!;
    if (form === heldAside) return this.#asideIds.get(slot) ?? '';
    return this.#requestIds.read(this.#c.requestIdHandle[slot]!, form);
  }

  #requestIdIs(slot: number, requestId: string): boolean {
    const form = this.#c.requestIdForm[slot]!;
    if (form === heldAside) return this.#asideIds.get(slot) === requestId;
    return this.#requestIds.equals(this.#c.requestIdHandle[slot]!, form, requestId);
  }
}
