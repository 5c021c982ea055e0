/**
 * A minimal GGUF v3 serialiser: header, typed metadata, tensor infos and aligned tensor data.
 * Only what the tiny test model needs (scalars, strings, arrays of one scalar type, F32 tensors);
 * the layout follows ggml's gguf.md: everything little-endian, strings as u64 length + UTF-8 bytes,
 * tensor offsets relative to the start of the data section, which begins on an `alignment` boundary.
 */

/** GGUF metadata value type ids (gguf.md `gguf_metadata_value_type`). */
export const GgufType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof GgufType, 'array'>;

export type GgufValue =
  | { readonly type: GgufScalarType; readonly value: number | string | boolean | bigint }
  | { readonly type: 'array'; readonly itemType: GgufScalarType; readonly values: readonly (number | string | boolean | bigint)[] };

export interface GgufTensor {
  readonly name: string;
  /** ggml order: dims[0] is the fastest-varying (row length). */
  readonly dims: readonly number[];
  /** F32 only: the tiny model needs nothing else. */
  readonly data: Float32Array;
}

export interface GgufFileSpec {
  /** Insertion order is kept, so the same spec always gives the same bytes. */
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufTensor[];
  readonly alignment: number;
}

const ggmlTypeF32 = 0;
const magic = 0x46554747; // "GGUF" read as a little-endian u32

/** Grows a buffer as values are appended; avoids precomputing sizes of variable-length metadata. */
class ByteSink {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = Buffer.alloc(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  u8(v: number): void { this.ensure(1); this.buffer.writeUInt8(v, this.length); this.length += 1; }
  i8(v: number): void { this.ensure(1); this.buffer.writeInt8(v, this.length); this.length += 1; }
  u16(v: number): void { this.ensure(2); this.buffer.writeUInt16LE(v, this.length); this.length += 2; }
  i16(v: number): void { this.ensure(2); this.buffer.writeInt16LE(v, this.length); this.length += 2; }
  u32(v: number): void { this.ensure(4); this.buffer.writeUInt32LE(v, this.length); this.length += 4; }
  i32(v: number): void { this.ensure(4); this.buffer.writeInt32LE(v, this.length); this.length += 4; }
  f32(v: number): void { this.ensure(4); this.buffer.writeFloatLE(v, this.length); this.length += 4; }
  f64(v: number): void { this.ensure(8); this.buffer.writeDoubleLE(v, this.length); this.length += 8; }
  u64(v: number | bigint): void { this.ensure(8); this.buffer.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
  i64(v: number | bigint): void { this.ensure(8); this.buffer.writeBigInt64LE(BigInt(v), this.length); this.length += 8; }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }

  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }

  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    this.ensure(pad);
    this.buffer.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function writeScalar(sink: ByteSink, type: GgufScalarType, value: number | string | boolean | bigint): void {
  switch (type) {
    case 'string':
      return sink.string(String(value));
    case 'bool':
      return sink.u8(value === true ? 1 : 0);
    case 'uint64':
      return sink.u64(typeof value === 'bigint' ? value : Number(value));
    case 'int64':
      return sink.i64(typeof value === 'bigint' ? value : Number(value));
    default: {
      const n = Number(value);
      if (type === 'uint8') return sink.u8(n);
      if (type === 'int8') return sink.i8(n);
      if (type === 'uint16') return sink.u16(n);
      if (type === 'int16') return sink.i16(n);
      if (type === 'uint32') return sink.u32(n);
      if (type === 'int32') return sink.i32(n);
      if (type === 'float32') return sink.f32(n);
      return sink.f64(n);
    }
  }
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  sink.u32(GgufType[value.type]);
  if (value.type === 'array') {
    sink.u32(GgufType[value.itemType]);
    sink.u64(value.values.length);
    for (const item of value.values) writeScalar(sink, value.itemType, item);
    return;
  }
  writeScalar(sink, value.type, value.value);
}

/** Serialise a whole GGUF v3 file into memory (the tiny model is far below 1 MB). */
export function encodeGguf(spec: GgufFileSpec): Buffer {
  const sink = new ByteSink();
  sink.u32(magic);
  sink.u32(3);
  sink.u64(spec.tensors.length);
  sink.u64(spec.metadata.size);
  for (const [key, value] of spec.metadata) {
    sink.string(key);
    writeValue(sink, value);
  }

  // Offsets are relative to the data section; each tensor starts on an alignment boundary.
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of spec.tensors) {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new Error(`tensor ${tensor.name}: dims ${tensor.dims.join('x')} do not match ${tensor.data.length} values`);
    }
    offsets.push(offset);
    offset += tensor.data.byteLength;
    offset += (spec.alignment - (offset % spec.alignment)) % spec.alignment;
  }
  spec.tensors.forEach((tensor, i) => {
    sink.string(tensor.name);
    sink.u32(tensor.dims.length);
    for (const d of tensor.dims) sink.u64(d);
    sink.u32(ggmlTypeF32);
    sink.u64(offsets[i] ?? 0);
  });

  sink.padTo(spec.alignment);
  for (const tensor of spec.tensors) {
    // Copy through a Buffer view so the bytes are little-endian regardless of host order.
    const bytes = Buffer.alloc(tensor.data.byteLength);
    tensor.data.forEach((v, j) => bytes.writeFloatLE(v, j * 4));
    sink.bytes(bytes);
    sink.padTo(spec.alignment);
  }
  return sink.result();
}
