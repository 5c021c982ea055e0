/**
 * The character and encoding rules that signed notes and checkpoints share. Both are signed as
 * bytes, so anything that two parsers could read differently (lone surrogates, control characters,
 * base64 with stray padding bits or whitespace) is refused rather than normalised: a verifier must
 * see exactly the bytes that were signed.
 */

/** A string with a lone surrogate has no UTF-8 encoding; encoders would silently substitute U+FFFD. */
export function isWellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** C2SP signed-note: nothing below U+0020 except newline. */
export function hasNoteControlCharacters(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && code !== 0x0a) return true;
  }
  return false;
}

/** Any Unicode control character (C0, DEL, C1): for single-line fields such as a checkpoint's origin. */
export function hasControlCharacters(text: string): boolean {
  return /\p{Cc}/u.test(text);
}

/**
 * Standard base64 (RFC 4648 §4) with padding, in its one canonical form, or undefined. Node's own
 * decoder skips invalid characters and accepts the URL alphabet, so the text is checked first and
 * re-encoded after: two different strings must never decode to the same signature or hash.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
