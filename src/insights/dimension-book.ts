/**
 * The string facts of a row (tenant, model, back end, jurisdiction, home, error code, currency and
 * the cross-border flag) as one id. Rows repeat a small number of combinations (a tenant's model
 * is served by a few back ends in known places), so one Uint32 a row replaces eight columns, and a
 * query reads each part through the combination: `tenant[dims[slot]]`. Like the dictionaries,
 * combinations are never freed; their number is bounded by configuration, not by traffic.
 */
import type { Dictionary } from './dictionary.js';

export interface DimensionFacts {
  readonly tenant: string | null;
  readonly model: string | null;
  readonly backend: string | null;
  readonly jurisdiction: string | null;
  readonly home: string | null;
  readonly code: string | null;
  readonly currency: string | null;
  readonly crossBorder: boolean;
}

/** Dictionary ids of each combination's parts, indexed by combination id. */
export interface DimensionColumns {
  readonly tenant: Uint32Array;
  readonly model: Uint32Array;
  readonly backend: Uint32Array;
  /** `jurisdiction` and `home` share one dictionary (`places`): equal ids mean equal places. */
  readonly jurisdiction: Uint32Array;
  readonly home: Uint32Array;
  readonly code: Uint32Array;
  readonly currency: Uint32Array;
  readonly crossBorder: Uint8Array;
}

export interface DimensionDictionaries {
  readonly tenants: Dictionary;
  readonly models: Dictionary;
  readonly backends: Dictionary;
  readonly places: Dictionary;
  readonly codes: Dictionary;
  readonly currencies: Dictionary;
}

function allocate(size: number): DimensionColumns {
  return {
    tenant: new Uint32Array(size),
    model: new Uint32Array(size),
    backend: new Uint32Array(size),
    jurisdiction: new Uint32Array(size),
    home: new Uint32Array(size),
    code: new Uint32Array(size),
    currency: new Uint32Array(size),
    crossBorder: new Uint8Array(size),
  };
}

export class DimensionBook {
  readonly #ids = new Map<string, number>();
  readonly #dictionaries: DimensionDictionaries;
  #columns = allocate(64);
  #size = 0;

  constructor(dictionaries: DimensionDictionaries) {
    this.#dictionaries = dictionaries;
  }

  idFor(facts: DimensionFacts): number {
    const d = this.#dictionaries;
    const tenant = d.tenants.intern(facts.tenant);
    const model = d.models.intern(facts.model);
    const backend = d.backends.intern(facts.backend);
    const jurisdiction = d.places.intern(facts.jurisdiction);
    const home = d.places.intern(facts.home);
    const code = d.codes.intern(facts.code);
    const currency = d.currencies.intern(facts.currency);
    const crossBorder = facts.crossBorder ? 1 : 0;
    const key = `${tenant},${model},${backend},${jurisdiction},${home},${code},${currency},${crossBorder}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    if (this.#size === this.#columns.tenant.length) this.#grow();
    const id = this.#size++;
    const c = this.#columns;
    c.tenant[id] = tenant;
    c.model[id] = model;
    c.backend[id] = backend;
    c.jurisdiction[id] = jurisdiction;
    c.home[id] = home;
    c.code[id] = code;
    c.currency[id] = currency;
    c.crossBorder[id] = crossBorder;
    this.#ids.set(key, id);
    return id;
  }

  /** Live arrays, valid until the next `idFor`. */
  get columns(): DimensionColumns {
    return this.#columns;
  }

  get size(): number {
    return this.#size;
  }

  #grow(): void {
    const grown = allocate(this.#columns.tenant.length * 2);
    for (const key of Object.keys(grown) as (keyof DimensionColumns)[]) grown[key].set(this.#columns[key]);
    this.#columns = grown;
  }
}
