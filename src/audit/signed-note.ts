/**
 * C2SP signed-note (c2sp.org/signed-note) with Ed25519 keys: the envelope the audit log's
 * checkpoints travel in. A note is UTF-8 text ending in a newline, a blank line, then one line per
 * signature, `— <key name> <base64(key ID || signature)>`. Keys are identified by name and a 4-byte
 * key ID, and their text encodings are those of Go's golang.org/x/mod/sumdb/note, so auditors can
 * check our checkpoints with the transparency tools that already exist (witnesses, `note` CLIs).
 *
 * Opening is strict where the specification allows a choice: every signature from a known key is
 * verified (one bad one rejects the note), base64 must be canonical, and malformed input yields a
 * reason, never an exception.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64, hasNoteControlCharacters, isWellFormed } from './text-rules.js';

/** The signature type identifier byte the specification assigns to Ed25519. */
export const ed25519SignatureType = 0x01;

/** Most signature lines a note may carry (the spec asks for at least 16; Go's reader stops at 100). */
export const maxNoteSignatures = 100;

const signaturePrefix = '\u2014 ';
const ed25519KeySize = 32;
const ed25519SignatureSize = 64;
// DER framing of a bare Ed25519 key (RFC 8410): node:crypto imports raw keys only through it.
const spkiPrefix = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const pkcs8Prefix = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

export interface NoteSigner {
  readonly name: string;
  /** The key ID as an unsigned 32-bit integer (big-endian on the wire). */
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export type Parsed<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reason: string };

export type OpenedNote =
  | {
      readonly ok: true;
      /** The signed text, final newline included. */
      readonly text: string;
      /** Names of the known keys whose signatures verified, in the order they appear. */
      readonly verifiedBy: string[];
      /** Signatures from keys the caller does not know: kept for information, never trusted. */
      readonly unverified: { readonly name: string; readonly keyId: number }[];
    }
  | { readonly ok: false; readonly reason: string };

/** Non-empty, well-formed, no Unicode spaces (they end the name on a signature line) and no `+` (it separates key fields). */
export function isValidKeyName(name: string): boolean {
  return name !== '' && isWellFormed(name) && !/[\p{White_Space}+]/u.test(name) && !hasNoteControlCharacters(name);
}

/** SHA-256(key name || 0x0A || 0x01 || public key)[:4], read big-endian. */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, ed25519SignatureType)).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function isEd25519(key: KeyObject, type: 'public' | 'private'): boolean {
  return key.type === type && key.asymmetricKeyType === 'ed25519';
}

/** The 32-byte RFC 8032 encoding of an Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Uint8Array {
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  if (!isEd25519(key, 'public')) throw new TypeError('an Ed25519 key is required');
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - ed25519KeySize));
}

function rawSeed(privateKey: KeyObject): Uint8Array {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  if (der.length !== pkcs8Prefix.length + ed25519KeySize) throw new TypeError('unexpected Ed25519 private key encoding');
  return new Uint8Array(der.subarray(pkcs8Prefix.length));
}

function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) throw new RangeError(`invalid note key name ${JSON.stringify(name)}: it must be non-empty, without spaces, '+' or control characters`);
}

export function createNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  checkName(name);
  if (!isEd25519(privateKey, 'private')) throw new TypeError('note signing needs an Ed25519 private key');
  const keyId = noteKeyId(name, rawPublicKey(createPublicKey(privateKey)));
  return { name, keyId, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}

/** A verifier for `name`'s Ed25519 key (a private key is accepted and its public half used). */
export function noteVerifierFromKey(name: string, publicKey: KeyObject): NoteVerifier {
  checkName(name);
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  if (!isEd25519(key, 'public')) throw new TypeError('note verification needs an Ed25519 public key');
  const keyId = noteKeyId(name, rawPublicKey(key));
  return {
    name,
    keyId,
    verify: (message, signature) => {
      if (signature.length !== ed25519SignatureSize) return false;
      try {
        return verify(null, message, key, signature);
      } catch {
        return false;
      }
    },
  };
}

/** `<name>+<hex key ID>+<base64(0x01 || public key)>`: the verifier key auditors are given (a private key gives its public half's). */
export function formatVerifierKey(name: string, publicKey: KeyObject): string {
  checkName(name);
  const raw = rawPublicKey(publicKey);
  return `${name}+${hex8(noteKeyId(name, raw))}+${encodeBase64(Uint8Array.of(ed25519SignatureType, ...raw))}`;
}

/** `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`: the signer key, a secret. */
export function formatSignerKey(name: string, privateKey: KeyObject): string {
  checkName(name);
  if (!isEd25519(privateKey, 'private')) throw new TypeError('an Ed25519 private key is required');
  const keyId = noteKeyId(name, rawPublicKey(createPublicKey(privateKey)));
  return `PRIVATE+KEY+${name}+${hex8(keyId)}+${encodeBase64(Uint8Array.of(ed25519SignatureType, ...rawSeed(privateKey)))}`;
}

/** Name, key ID and key bytes of a `<name>+<hex8>+<base64>` string; the key may itself contain `+`. */
function splitKeyFields(text: string): { name: string; keyId: number; key: Uint8Array } | string {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return 'expected <name>+<key ID>+<key>';
  const name = text.slice(0, first);
  const idText = text.slice(first + 1, second);
  const key = decodeBase64(text.slice(second + 1));
  if (!isValidKeyName(name)) return 'invalid key name';
  if (!/^[0-9a-fA-F]{8}$/.test(idText)) return 'the key ID must be 8 hexadecimal digits';
  if (key === undefined || key.length === 0) return 'the key is not canonical base64';
  if (key[0] !== ed25519SignatureType) return `unsupported signature type 0x${(key[0] as number).toString(16).padStart(2, '0')}`;
  if (key.length !== 1 + ed25519KeySize) return 'an Ed25519 key is 32 bytes';
  return { name, keyId: Number.parseInt(idText, 16), key: key.subarray(1) };
}

export function parseVerifierKey(text: string): Parsed<{ readonly verifier: NoteVerifier; readonly publicKey: KeyObject }> {
  const fields = splitKeyFields(text);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  if (noteKeyId(fields.name, fields.key) !== fields.keyId) return { ok: false, reason: 'the key ID does not match the key' };
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromRaw(fields.key);
  } catch {
    return { ok: false, reason: 'not an Ed25519 public key' };
  }
  return { ok: true, verifier: noteVerifierFromKey(fields.name, publicKey), publicKey };
}

export function parseSignerKey(text: string): Parsed<{ readonly signer: NoteSigner; readonly privateKey: KeyObject }> {
  if (!text.startsWith('PRIVATE+KEY+')) return { ok: false, reason: 'a signer key starts with PRIVATE+KEY+' };
  const fields = splitKeyFields(text.slice('PRIVATE+KEY+'.length));
  if (typeof fields === 'string') return { ok: false, reason: fields };
  let privateKey: KeyObject;
  try {
    privateKey = privateKeyFromSeed(fields.key);
  } catch {
    return { ok: false, reason: 'not an Ed25519 seed' };
  }
  const signer = createNoteSigner(fields.name, privateKey);
  // The ID names the public key, so it can only be checked once the seed has been expanded.
  if (signer.keyId !== fields.keyId) return { ok: false, reason: 'the key ID does not match the key' };
  return { ok: true, signer, privateKey };
}

function noteTextProblem(text: string): string | undefined {
  if (!isWellFormed(text)) return 'the note is not valid UTF-8';
  if (hasNoteControlCharacters(text)) return 'the note contains control characters other than newline';
  return undefined;
}

/**
 * The signed note of `text` (which must end in a newline) under each signer, in order. Throws on
 * text or signers the format cannot carry: that is a programming error, not input.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  const problem = text.endsWith('\n') ? noteTextProblem(text) : 'the note text must end in a newline';
  if (problem !== undefined) throw new RangeError(problem);
  if (signers.length === 0 || signers.length > maxNoteSignatures) throw new RangeError(`a note carries 1 to ${maxNoteSignatures} signatures`);
  const message = Buffer.from(text, 'utf8');
  const seen = new Set<string>();
  let lines = '';
  for (const signer of signers) {
    checkName(signer.name);
    const id = `${signer.name}+${hex8(signer.keyId)}`;
    if (seen.has(id)) throw new RangeError(`key ${id} appears twice among the signers`);
    seen.add(id);
    const signature = signer.sign(message);
    const blob = new Uint8Array(4 + signature.length);
    new DataView(blob.buffer).setUint32(0, signer.keyId >>> 0);
    blob.set(signature, 4);
    lines += `${signaturePrefix}${signer.name} ${encodeBase64(blob)}\n`;
  }
  return `${text}\n${lines}`;
}

function decodeNote(note: string | Uint8Array): string | undefined {
  if (typeof note === 'string') return note;
  try {
    // ignoreBOM: a leading U+FEFF is part of the signed bytes and must not vanish.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    return undefined;
  }
}

/**
 * Opens a signed note: parses it, verifies every signature from a key in `verifiers`, and returns
 * the text only if at least one verified and none failed. Signatures from unknown keys (another
 * name, or a known name with another key ID) are ignored, as the specification requires.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  try {
    return openNoteUnchecked(note, verifiers);
  } catch {
    return { ok: false, reason: 'malformed note' };
  }
}

function openNoteUnchecked(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const decoded = decodeNote(note);
  if (decoded === undefined) return { ok: false, reason: 'the note is not valid UTF-8' };
  const problem = noteTextProblem(decoded);
  if (problem !== undefined) return { ok: false, reason: problem };
  // The text may itself hold empty lines: the signatures follow the last one.
  const split = decoded.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'no blank line before the signatures' };
  const text = decoded.slice(0, split + 1);
  const block = decoded.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) return { ok: false, reason: 'the signature block must be signature lines, each ending in a newline' };
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > maxNoteSignatures) return { ok: false, reason: `more than ${maxNoteSignatures} signatures` };

  const message = Buffer.from(text, 'utf8');
  const verifiedBy: string[] = [];
  const unverified: { name: string; keyId: number }[] = [];
  const unverifiedLines = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith(signaturePrefix)) return { ok: false, reason: 'a signature line must start with an em dash and a space' };
    const rest = line.slice(signaturePrefix.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? '' : rest.slice(0, space);
    const blob = space < 0 ? undefined : decodeBase64(rest.slice(space + 1));
    if (!isValidKeyName(name) || blob === undefined || blob.length < 5) return { ok: false, reason: 'malformed signature line' };
    const keyId = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0);
    const id = `${name}+${hex8(keyId)}`;
    const matching = verifiers.filter((verifier) => verifier.name === name && verifier.keyId >>> 0 === keyId);
    if (matching.length === 0) {
      if (!unverifiedLines.has(line)) unverified.push({ name, keyId });
      unverifiedLines.add(line);
      continue;
    }
    if (matching.length > 1) return { ok: false, reason: `ambiguous key ${id}: more than one verifier has that name and key ID` };
    if (!(matching[0] as NoteVerifier).verify(message, blob.subarray(4))) return { ok: false, reason: `invalid signature for key ${id}` };
    if (!verifiedBy.includes(name)) verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) return { ok: false, reason: 'no signature from a known key' };
  return { ok: true, text, verifiedBy, unverified };
}
