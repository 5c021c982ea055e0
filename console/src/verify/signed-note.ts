/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, read and checked with WebCrypto.
 *
 * A note is UTF-8 text ending in a newline, a blank line, then one signature line per signer:
 * `— <key name> <base64(4-byte key hash ‖ signature)>`. A verifier key is
 * `<name>+<8 hex digits of the key hash>+<base64(0x01 ‖ 32-byte Ed25519 public key)>`, where the
 * key hash is the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), read big-endian.
 * These are the encodings of Go's golang.org/x/mod/sumdb/note, which Nara's log uses.
 *
 * Parsing never throws: malformed input yields a reason.
 */
import { concatBytes, decodeBase64, sha256, toHex, utf8, type Bytes } from './bytes.js';

/** The signature type byte C2SP assigns to Ed25519. */
export const ed25519Type = 0x01;
const signaturePrefix = '\u2014 ';
const publicKeySize = 32;
const signatureSize = 64;

export type Reading<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reason: string };

export interface VerifierKey {
  readonly name: string;
  /** The key hash as 8 lowercase hexadecimal digits. */
  readonly keyHash: string;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Bytes;
}

export interface NoteSignature {
  readonly name: string;
  /** 8 lowercase hexadecimal digits. */
  readonly keyHash: string;
  /** What follows the key hash in the blob: 64 bytes for an Ed25519 signature. */
  readonly signature: Bytes;
}

export interface SignedNote {
  /** The signed text, final newline included. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** C2SP signed-note: nothing below U+0020 but the newline. Also rejects lone surrogates (no UTF-8). */
function textProblem(text: string): string | undefined {
  if (/\p{Cs}/u.test(text)) return 'the text is not well-formed Unicode';
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && code !== 0x0a) return 'the text contains control characters other than newline';
  }
  return undefined;
}

export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\p{White_Space}+\p{Cc}\p{Cs}]/u.test(name);
}

/** SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), first four bytes, as 8 hex digits. */
export async function computeKeyHash(name: string, publicKey: Uint8Array): Promise<string> {
  const digest = await sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, ed25519Type), publicKey));
  return toHex(digest.subarray(0, 4));
}

/**
 * Reads `<name>+<hex key hash>+<base64(0x01 ‖ key)>` without checking the key hash (see
 * `checkVerifierKey`), so that a page can show what a pasted key claims even when it is wrong.
 */
export function parseVerifierKey(input: string): Reading<{ readonly key: VerifierKey }> {
  const text = input.trim();
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return { ok: false, reason: 'a verifier key is <name>+<key hash>+<key>' };
  const name = text.slice(0, first);
  const hashText = text.slice(first + 1, second);
  if (!isValidKeyName(name)) return { ok: false, reason: 'the key name is empty or contains spaces, "+" or control characters' };
  if (!/^[0-9a-fA-F]{8}$/.test(hashText)) return { ok: false, reason: 'the key hash must be 8 hexadecimal digits' };
  const blob = decodeBase64(text.slice(second + 1));
  if (blob === undefined || blob.length === 0) return { ok: false, reason: 'the key is not canonical base64' };
  if (blob[0] !== ed25519Type) return { ok: false, reason: `unsupported signature type 0x${(blob[0] as number).toString(16).padStart(2, '0')} (only Ed25519, 0x01)` };
  if (blob.length !== 1 + publicKeySize) return { ok: false, reason: `an Ed25519 public key is ${publicKeySize} bytes, not ${blob.length - 1}` };
  return { ok: true, key: { name, keyHash: hashText.toLowerCase(), publicKey: blob.slice(1) } };
}

/** Does the key hash the key claims match its name and key? Returns the computed hash too. */
export async function checkVerifierKey(key: VerifierKey): Promise<{ readonly ok: boolean; readonly computed: string }> {
  const computed = await computeKeyHash(key.name, key.publicKey);
  return { ok: computed === key.keyHash, computed };
}

/** Splits a signed note into its text and signature lines; verifies nothing. */
export function parseSignedNote(note: string): Reading<{ readonly note: SignedNote }> {
  if (typeof note !== 'string') return { ok: false, reason: 'the note is not text' };
  const problem = textProblem(note);
  if (problem !== undefined) return { ok: false, reason: problem };
  // The text may itself hold blank lines: the signatures follow the last one.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'no blank line before the signatures' };
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) return { ok: false, reason: 'the signature block must be signature lines, each ending in a newline' };
  const signatures: NoteSignature[] = [];
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(signaturePrefix)) return { ok: false, reason: 'a signature line must start with an em dash and a space' };
    const rest = line.slice(signaturePrefix.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? '' : rest.slice(0, space);
    const blob = space < 0 ? undefined : decodeBase64(rest.slice(space + 1));
    if (!isValidKeyName(name)) return { ok: false, reason: 'a signature line has no valid key name' };
    if (blob === undefined) return { ok: false, reason: `the signature of ${name} is not canonical base64` };
    if (blob.length < 5) return { ok: false, reason: `the signature of ${name} is too short to hold a key hash and a signature` };
    signatures.push({ name, keyHash: toHex(blob.subarray(0, 4)), signature: blob.slice(4) });
  }
  return { ok: true, note: { text, signatures } };
}

export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'no-signature-by-key' | 'signature-malformed' | 'signature-invalid' | 'crypto-unavailable'; readonly reason: string };

/**
 * Verifies the note's signatures by `key` (matched by name and key hash): at least one, and every
 * one of them valid. Signatures by other keys are ignored, as the specification says.
 */
export async function verifyNoteSignature(note: SignedNote, key: VerifierKey): Promise<SignatureCheck> {
  const ours = note.signatures.filter((signature) => signature.name === key.name && signature.keyHash === key.keyHash);
  if (ours.length === 0) {
    const others = note.signatures.map((signature) => `${signature.name}+${signature.keyHash}`).join(', ');
    return { ok: false, code: 'no-signature-by-key', reason: `no signature by ${key.name}+${key.keyHash}; the note is signed by ${others === '' ? 'nobody' : others}` };
  }
  let publicKey: Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;
  try {
    publicKey = await globalThis.crypto.subtle.importKey('raw', key.publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    return { ok: false, code: 'crypto-unavailable', reason: `this browser cannot import an Ed25519 key with WebCrypto (${error instanceof Error ? error.message : String(error)})` };
  }
  const message = utf8(note.text);
  for (const signature of ours) {
    if (signature.signature.length !== signatureSize) {
      return { ok: false, code: 'signature-malformed', reason: `an Ed25519 signature is ${signatureSize} bytes; this one is ${signature.signature.length}` };
    }
    let valid: boolean;
    try {
      valid = await globalThis.crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature.signature, message);
    } catch (error) {
      return { ok: false, code: 'crypto-unavailable', reason: `WebCrypto could not verify an Ed25519 signature (${error instanceof Error ? error.message : String(error)})` };
    }
    if (!valid) return { ok: false, code: 'signature-invalid', reason: `the signature by ${key.name}+${key.keyHash} does not verify over the note's text` };
  }
  return { ok: true };
}
