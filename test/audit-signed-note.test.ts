/**
 * C2SP signed notes with Ed25519: byte-for-byte agreement with the example keys and notes published
 * with Go's golang.org/x/mod/sumdb/note (Ed25519 is deterministic, so our signature must equal
 * theirs), and the ways a note can be forged, mangled or confused with another key's.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createNoteSigner,
  formatSignerKey,
  formatVerifierKey,
  isValidKeyName,
  maxNoteSignatures,
  noteKeyId,
  noteVerifierFromKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  rawPublicKey,
  signNote,
  type NoteSigner,
  type NoteVerifier,
} from '../src/audit/signed-note.js';

// The example keys, text and signatures of the Go package's documentation and tests.
const peterVkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const peterSkey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const enochVkey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const peterLine = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const enochLine = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

function verifierOf(vkey: string): NoteVerifier {
  const parsed = parseVerifierKey(vkey);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.verifier;
}

function signerOf(skey: string): NoteSigner {
  const parsed = parseSignerKey(skey);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.signer;
}

function freshKey(name: string): { signer: NoteSigner; verifier: NoteVerifier } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signer: createNoteSigner(name, privateKey), verifier: noteVerifierFromKey(name, publicKey) };
}

describe('the Go note package vectors', () => {
  const peter = verifierOf(peterVkey);
  const enoch = verifierOf(enochVkey);

  it('parses the published keys to the published key IDs', () => {
    expect(peter.name).toBe('PeterNeumann');
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(enoch.keyId).toBe(0xaf0cfe78);
    const signer = parseSignerKey(peterSkey);
    expect(signer.ok).toBe(true);
    if (!signer.ok) return;
    expect(signer.signer.keyId).toBe(0xc74f20a3);
    // Formatting what we parsed gives the published strings back.
    expect(formatSignerKey('PeterNeumann', signer.privateKey)).toBe(peterSkey);
    expect(formatVerifierKey('PeterNeumann', signer.privateKey)).toBe(peterVkey);
    const parsed = parseVerifierKey(peterVkey);
    expect(parsed.ok && formatVerifierKey('PeterNeumann', parsed.publicKey)).toBe(peterVkey);
    expect(noteKeyId('PeterNeumann', rawPublicKey(signer.privateKey))).toBe(0xc74f20a3);
  });

  it('signs the published text to the published note, byte for byte', () => {
    expect(signNote(goText, [signerOf(peterSkey)])).toBe(`${goText}\n${peterLine}`);
  });

  it('opens the published notes', () => {
    expect(openNote(`${goText}\n${peterLine}`, [peter])).toEqual({ ok: true, text: goText, verifiedBy: ['PeterNeumann'], unverified: [] });
    // Signed by both: either key alone suffices, and the other signature is reported, not trusted.
    expect(openNote(`${goText}\n${peterLine}${enochLine}`, [peter])).toEqual({ ok: true, text: goText, verifiedBy: ['PeterNeumann'], unverified: [{ name: 'EnochRoot', keyId: 0xaf0cfe78 }] });
    expect(openNote(`${goText}\n${peterLine}${enochLine}`, [enoch])).toMatchObject({ ok: true, verifiedBy: ['EnochRoot'] });
    expect(openNote(`${goText}\n${peterLine}${enochLine}`, [peter, enoch])).toMatchObject({ ok: true, verifiedBy: ['PeterNeumann', 'EnochRoot'], unverified: [] });
    expect(openNote(new TextEncoder().encode(`${goText}\n${peterLine}`), [peter])).toMatchObject({ ok: true, text: goText });
  });

  it('rejects the malformed notes of the Go tests', () => {
    const bad = [
      goText,
      `${goText}\n`,
      `${goText}\n${peterLine.slice(0, -1)}`,
      `\u0001${goText}\n${peterLine}`,
      `${goText}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${goText}\n${peterLine}Unexpected line.\n`,
    ];
    for (const note of bad) expect(openNote(note, [peter]).ok, JSON.stringify(note)).toBe(false);
    const invalidUtf8 = Uint8Array.of(0xff, ...new TextEncoder().encode(`${goText}\n${peterLine}`));
    expect(openNote(invalidUtf8, [peter])).toEqual({ ok: false, reason: 'the note is not valid UTF-8' });
    expect(openNote(`${goText}\n${peterLine.slice(0, 60)}ABCD${peterLine.slice(60)}`, [peter])).toEqual({ ok: false, reason: 'invalid signature for key PeterNeumann+c74f20a3' });
  });

  it('refuses a note with more than 100 signatures, known or not', () => {
    expect(openNote(`${goText}\n${peterLine.repeat(maxNoteSignatures)}`, [peter]).ok).toBe(true);
    expect(openNote(`${goText}\n${peterLine.repeat(maxNoteSignatures + 1)}`, [peter]).ok).toBe(false);
    expect(openNote(`${goText}\n${enochLine.repeat(maxNoteSignatures)}${peterLine}`, [peter]).ok).toBe(false);
  });

  it('rejects mangled verifier and signer keys, as the Go tests do', () => {
    for (let start = 0; start < peterVkey.length; start += 1) {
      for (let end = start + 1; end <= peterVkey.length; end += 1) {
        if (start === 0 && end === peterVkey.length) continue;
        expect(parseVerifierKey(peterVkey.slice(start, end)).ok, peterVkey.slice(start, end)).toBe(false);
      }
    }
    for (const key of [peterVkey, peterSkey]) {
      for (let at = 0; at < key.length; at += 1) {
        const mangled = key.slice(0, at) + String.fromCharCode(key.charCodeAt(at) + 1) + key.slice(at + 1);
        const parse = key === peterVkey ? parseVerifierKey : parseSignerKey;
        expect(parse(mangled).ok, mangled).toBe(false);
      }
    }
    expect(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==').ok).toBe(false);
    expect(parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').ok).toBe(false);
    expect(parseVerifierKey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').ok).toBe(true);
    expect(parseSignerKey(peterVkey).ok).toBe(false);
  });
});

describe('signing and opening our own notes', () => {
  const text = 'nara.example/audit\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';

  it('round-trips under fresh keys, through the key strings too', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = createNoteSigner('nara.example/audit', privateKey);
    const parsed = parseVerifierKey(formatVerifierKey('nara.example/audit', privateKey));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.verifier.keyId).toBe(signer.keyId);
    const note = signNote(text, [signer]);
    expect(note.startsWith(`${text}\n— nara.example/audit `)).toBe(true);
    expect(openNote(note, [parsed.verifier])).toEqual({ ok: true, text, verifiedBy: ['nara.example/audit'], unverified: [] });
    const reparsed = parseSignerKey(formatSignerKey('nara.example/audit', privateKey));
    expect(reparsed.ok && signNote(text, [reparsed.signer])).toBe(note);
  });

  it('keeps text with empty lines, splitting at the last blank line', () => {
    const { signer, verifier } = freshKey('k');
    const multi = 'first\n\nthird\n';
    expect(openNote(signNote(multi, [signer]), [verifier])).toMatchObject({ ok: true, text: multi });
  });

  it('ignores a key of the same name but another key ID, so a note only it signed is rejected', () => {
    const real = freshKey('nara.example/audit');
    const impostor = freshKey('nara.example/audit');
    expect(impostor.signer.keyId).not.toBe(real.signer.keyId);
    expect(openNote(signNote(text, [impostor.signer]), [real.verifier])).toEqual({ ok: false, reason: 'no signature from a known key' });
    // Alongside a genuine signature it is merely ignored.
    expect(openNote(signNote(text, [impostor.signer, real.signer]), [real.verifier])).toMatchObject({ ok: true, verifiedBy: ['nara.example/audit'] });
  });

  it('rejects a signature under the right name and key ID made by another key', () => {
    const real = freshKey('nara.example/audit');
    const forger = freshKey('nara.example/audit');
    const forged: NoteSigner = { name: real.signer.name, keyId: real.signer.keyId, sign: (message) => forger.signer.sign(message) };
    expect(openNote(signNote(text, [forged]), [real.verifier])).toEqual({ ok: false, reason: `invalid signature for key nara.example/audit+${real.signer.keyId.toString(16).padStart(8, '0')}` });
    // One bad signature from a known key spoils the note even next to a good one.
    expect(openNote(signNote(text, [real.signer]) + signNote(text, [forged]).slice(text.length + 1), [real.verifier]).ok).toBe(false);
  });

  it('rejects every single-byte change to the text', () => {
    const { signer, verifier } = freshKey('k');
    const note = signNote(text, [signer]);
    for (let at = 0; at < text.length; at += 1) {
      const replacement = text[at] === 'A' ? 'B' : text[at] === '\n' ? ' ' : 'A';
      const tampered = note.slice(0, at) + replacement + note.slice(at + 1);
      expect(openNote(tampered, [verifier]).ok, `byte ${at}`).toBe(false);
    }
  });

  it('rejects stray whitespace, a missing blank line and other layout damage', () => {
    const { signer, verifier } = freshKey('k');
    const note = signNote(text, [signer]);
    const signatureLine = note.slice(text.length + 1);
    const damaged = [
      `${text}${signatureLine}`, // no blank line
      `${text}\n\n${signatureLine}`, // two blank lines: the extra one joins the signed text
      `${text} \n${signatureLine}`,
      `${text}\n ${signatureLine}`,
      `${text}\n${signatureLine.replace('— k ', '— k  ')}`,
      `${text}\n${signatureLine.replace('— k ', '—  k ')}`,
      `${text}\n${signatureLine.replace('— k ', '- k ')}`,
      `${text}\n${signatureLine.replace('\n', ' \n')}`,
      `${text}\n${signatureLine}\n`,
      `${text}\n${signatureLine.slice(0, -1)}`,
      `${text}\n${signatureLine.replace('\n', '\r\n')}`,
      `${text.replace(/\n/g, '\r\n')}\n${signatureLine}`,
      `${text}\n${signatureLine.replace(/=\n$/, '\n')}`, // padding dropped
      // URL alphabet (only where the random signature has a character that differs between the two alphabets)
      ...(/[+/]/.test(signatureLine) ? [`${text}\n${signatureLine.replace(/[+/]/, (c) => (c === '+' ? '-' : '_'))}`] : []),
      `${text.slice(0, -1)}\n${signatureLine}`, // the text no longer ends where it was signed
      `\uFEFF${note}`,
      '',
      '\n',
      '\n\n',
    ];
    for (const bad of damaged) expect(openNote(bad, [verifier]).ok, JSON.stringify(bad)).toBe(false);
    expect(openNote(note, [verifier]).ok).toBe(true);
  });

  it('rejects a signature too short to hold a key ID and any signature', () => {
    const { verifier } = freshKey('k');
    const id = Buffer.alloc(4);
    id.writeUInt32BE(verifier.keyId);
    expect(openNote(`${text}\n— k ${id.toString('base64')}\n`, [verifier]).ok).toBe(false);
    expect(openNote(`${text}\n— k ${Buffer.concat([id, Buffer.alloc(1)]).toString('base64')}\n`, [verifier])).toMatchObject({ ok: false, reason: expect.stringContaining('invalid signature') });
  });

  it('counts unknown keys as nothing, even if they repeat', () => {
    const known = freshKey('known');
    const stranger = freshKey('stranger');
    const note = signNote(text, [stranger.signer]);
    const line = note.slice(text.length + 1);
    expect(openNote(note, [known.verifier])).toEqual({ ok: false, reason: 'no signature from a known key' });
    expect(openNote(`${note}${line}`, [known.verifier]).ok).toBe(false);
    expect(openNote(`${note}${line}`, [stranger.verifier])).toMatchObject({ ok: true, verifiedBy: ['stranger'] });
    expect(openNote(note, []).ok).toBe(false);
  });

  it('refuses ambiguous verifier lists rather than guessing', () => {
    const { signer, verifier } = freshKey('k');
    expect(openNote(signNote(text, [signer]), [verifier, verifier]).ok).toBe(false);
  });

  it('refuses to sign what cannot be opened', () => {
    const { signer } = freshKey('k');
    expect(() => signNote('no final newline', [signer])).toThrow(RangeError);
    expect(() => signNote('tab\there\n', [signer])).toThrow(RangeError);
    expect(() => signNote('lone \uD800 surrogate\n', [signer])).toThrow(RangeError);
    expect(() => signNote(text, [])).toThrow(RangeError);
    expect(() => signNote(text, [signer, signer])).toThrow(RangeError);
    expect(() => signNote(text, [{ ...signer, name: 'a b' }])).toThrow(RangeError);
  });

  it('knows what a key name may be', () => {
    for (const name of ['nara.example/audit', 'PeterNeumann', 'ключ', 'a']) expect(isValidKeyName(name), name).toBe(true);
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u2003b', 'a\nb', 'a\u0001b', 'a\uD800']) expect(isValidKeyName(name), JSON.stringify(name)).toBe(false);
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(() => createNoteSigner('a+b', privateKey)).toThrow(RangeError);
    expect(() => createNoteSigner('ok', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(TypeError);
    expect(() => noteVerifierFromKey('ok', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toThrow(TypeError);
  });

  it('never throws on hostile input', () => {
    const { verifier } = freshKey('k');
    const open = openNote as (...args: unknown[]) => unknown;
    for (const input of [undefined, null, 42, {}, ['a'], new Uint8Array([0xc0, 0x80])]) expect(open(input, [verifier])).toMatchObject({ ok: false });
    expect(open(`${text}\n— k AAAAAAAA\n`, undefined)).toMatchObject({ ok: false });
  });
});
