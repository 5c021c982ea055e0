/**
 * Interned strings: each distinct tenant, model, back end, jurisdiction, error code or currency is
 * kept once and rows hold its small integer id. Id 0 stands for null, so a zero-filled column reads
 * as "no value". Ids are never freed: these domains are bounded by configuration and the error
 * catalogue, not by traffic, so the dictionary stays small while the rows roll over.
 */
export class Dictionary {
  readonly #ids = new Map<string, number>();
  readonly #values: (string | null)[] = [null];

  intern(value: string | null): number {
    if (value === null) return 0;
    const known = this.#ids.get(value);
    if (known !== undefined) return known;
    const id = this.#values.length;
    this.#values.push(value);
    this.#ids.set(value, id);
    return id;
  }

  /** The id of a value already seen, else undefined (a filter on it then matches no row). */
  idOf(value: string): number | undefined {
    return this.#ids.get(value);
  }

  valueOf(id: number): string | null {
    return this.#values[id] ?? null;
  }

  /** One more than the largest id: the length of an array indexed by id. */
  get size(): number {
    return this.#values.length;
  }
}
