/**
 * Where each leaf of the audit log lies on disk (segment, byte offset, length), so that one event
 * can be read back by its index without scanning: the console shows an event and hashes its exact
 * bytes to check an inclusion proof. 16 bytes a leaf in typed arrays (a million leaves, 16 MB).
 */
const noSegment = 0xffffffff;

export interface LeafLocation {
  readonly path: string;
  readonly offset: number;
  readonly length: number;
}

export class LeafLocations {
  readonly #segments: string[] = [];
  #segment = new Uint32Array(1024);
  #offset = new Float64Array(1024);
  #length = new Uint32Array(1024);
  #size = 0;

  /** Leaves of a pruned segment: counted, with nowhere to read them from. */
  skip(count: number): void {
    for (let index = 0; index < count; index += 1) this.#push(noSegment, 0, 0);
  }

  add(path: string, offset: number, length: number): void {
    let segment = this.#segments.length - 1;
    if (this.#segments[segment] !== path) {
      this.#segments.push(path);
      segment += 1;
    }
    this.#push(segment, offset, length);
  }

  get(index: number): LeafLocation | undefined {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.#size) return undefined;
    const segment = this.#segment[index] as number;
    if (segment === noSegment) return undefined;
    return { path: this.#segments[segment] as string, offset: this.#offset[index] as number, length: this.#length[index] as number };
  }

  #push(segment: number, offset: number, length: number): void {
    if (this.#size === this.#segment.length) {
      const capacity = this.#size * 2;
      this.#segment = grow(this.#segment, new Uint32Array(capacity));
      this.#offset = grow(this.#offset, new Float64Array(capacity));
      this.#length = grow(this.#length, new Uint32Array(capacity));
    }
    this.#segment[this.#size] = segment;
    this.#offset[this.#size] = offset;
    this.#length[this.#size] = length;
    this.#size += 1;
  }
}

function grow<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
