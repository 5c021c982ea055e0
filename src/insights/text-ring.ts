/**
 * Request ids packed as bytes in one growing ring, oldest first. A million ids held as JavaScript
 * strings would cost a heap object each (about 60 bytes for a UUID, and a million objects for the
 * garbage collector to walk); here an ASCII id costs its length in bytes, and a lower-case UUID (what
 * the gateway generates) 16 bytes. Texts are pushed and released in the same order as the table's
 * rows, so the live bytes are always one contiguous run of the ring.
 *
 * A text is stored in a "form": 0–253 is the byte length of a plain ASCII id, `uuidForm` a UUID
 * packed in 16 bytes. The table keeps any other id (longer, or not ASCII) aside.
 */
export const uuidForm = 254;
export const longestAscii = 253;

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Where each byte's two hex digits sit in the 36-character UUID text. */
const uuidDigitAt = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const hexDigits = '0123456789abcdef';

export class TextRing {
  #bytes = new Uint8Array(4096);
  /** Logical positions grow for ever; the physical one is the logical one modulo the ring's size. */
  #start = 0;
  #end = 0;

  /**
   * The handle the next `push` stores its bytes under: the logical start modulo 2^32, which is
   * enough to find it again while fewer than 4 GiB are held (and saves a Float64 a row).
   */
  get nextHandle(): number {
    return this.#end >>> 0;
  }

  /** Stores a text at `nextHandle` and returns its form, or -1 when it has none (nothing stored). */
  push(text: string): number {
    if (uuidShape.test(text)) {
      this.#reserve(16);
      for (const at of uuidDigitAt) this.#put((hexValue(text.charCodeAt(at)) << 4) | hexValue(text.charCodeAt(at + 1)));
      return uuidForm;
    }
    const length = text.length;
    if (length > longestAscii) return -1;
    for (let i = 0; i < length; i++) if (text.charCodeAt(i) > 0x7f) return -1;
    this.#reserve(length);
    for (let i = 0; i < length; i++) this.#put(text.charCodeAt(i));
    return length;
  }

  /** The oldest text held is no longer needed (the caller releases in push order). */
  release(handle: number, form: number): void {
    this.#start = this.#resolve(handle) + byteLength(form);
  }

  read(handle: number, form: number): string {
    const start = this.#resolve(handle);
    const bytes = this.#bytes;
    if (form === uuidForm) {
      let text = '';
      for (let byte = 0; byte < 16; byte++) {
        const value = bytes[(start + byte) % bytes.length]!;
        if (byte === 4 || byte === 6 || byte === 8 || byte === 10) text += '-';
        text += hexDigits[value >> 4]! + hexDigits[value & 15]!;
      }
      return text;
    }
    const codes = new Array<number>(form);
    for (let i = 0; i < form; i++) codes[i] = bytes[(start + i) % bytes.length]!;
    return String.fromCharCode(...codes);
  }

  equals(handle: number, form: number, text: string): boolean {
    const start = this.#resolve(handle);
    const bytes = this.#bytes;
    if (form === uuidForm) {
      if (text.length !== 36) return false;
      for (let byte = 0; byte < 16; byte++) {
        const value = bytes[(start + byte) % bytes.length]!;
        const at = uuidDigitAt[byte]!;
        if (text[at] !== hexDigits[value >> 4] || text[at + 1] !== hexDigits[value & 15]) return false;
      }
      return true;
    }
    if (text.length !== form) return false;
    for (let i = 0; i < form; i++) if (bytes[(start + i) % bytes.length] !== text.charCodeAt(i)) return false;
    return true;
  }

  /** The logical position of a handle: the one at or after the oldest live byte with those low 32 bits. */
  #resolve(handle: number): number {
    return this.#start + ((handle - (this.#start >>> 0)) >>> 0);
  }

  #put(value: number): void {
    this.#bytes[this.#end % this.#bytes.length] = value;
    this.#end++;
  }

  /** Grows the ring by half until the live bytes plus `length` fit without overwriting any. */
  #reserve(length: number): void {
    const old = this.#bytes;
    const needed = this.#end - this.#start + length;
    if (needed <= old.length) return;
    let size = old.length;
    while (size < needed) size = Math.ceil(size * 1.5);
    const grown = new Uint8Array(size);
    for (let at = this.#start; at < this.#end; at++) grown[at % size] = old[at % old.length]!;
    this.#bytes = grown;
  }
}

/** A lower-case hex digit's value (the UUID shape was checked first). */
function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : code - 0x57;
}

function byteLength(form: number): number {
  return form === uuidForm ? 16 : form;
}
