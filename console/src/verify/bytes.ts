/**
 * Byte helpers for verifying proofs in the browser (and in Node 20, which has the same globals):
 * canonical base64, hexadecimal, SHA-256 through WebCrypto. Canonical means one spelling per value:
 * whatever is signed or hashed must never be read two ways, so base64 with stray padding bits,
 * whitespace or the URL alphabet is refused rather than repaired.
 */

/** Bytes backed by a plain ArrayBuffer: what WebCrypto takes as a BufferSource. */
export type Bytes = Uint8Array<ArrayBuffer>;

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

/** Standard base64 with padding (RFC 4648 §4) in its canonical form, or undefined. */
export function decodeBase64(text: string): Bytes | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !base64Pattern.test(text)) return undefined;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  // Re-encoding catches non-zero padding bits: "AB==" and "AA==" must not both mean 0x00.
  return encodeBase64(bytes) === text ? bytes : undefined;
}

export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Byte-wise equality (constant time is not needed: everything compared here is public). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

export function utf8(text: string): Bytes {
  return new TextEncoder().encode(text) as Bytes;
}

export async function sha256(data: Uint8Array): Promise<Bytes> {
  const copy = data.buffer instanceof ArrayBuffer ? (data as Bytes) : new Uint8Array(data);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', copy));
}
