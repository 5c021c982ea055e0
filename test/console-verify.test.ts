/**
 * The console's in-browser proof verification (console/src/verify, WebCrypto only), checked against
 * the server's own code: trees and proofs from src/audit/merkle.ts, checkpoints signed by
 * src/audit/signed-note.ts and src/audit/checkpoint.ts. Whatever the server proves, the browser must
 * accept; whatever is tampered with, it must refuse at the step that names the damage.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serializeLeaf, firstPrev, sha256Hex } from '../src/audit/audit-leaf.js';
import { signCheckpoint } from '../src/audit/checkpoint.js';
import { MerkleTree, leafHash as serverLeafHash, nodeHash as serverNodeHash } from '../src/audit/merkle.js';
import { createNoteSigner, formatVerifierKey, noteKeyId } from '../src/audit/signed-note.js';
import type { AuditEvent } from '../src/spec/audit.js';
import {
  computeKeyHash,
  decodeBase64,
  encodeBase64,
  inclusionPathLength,
  leafHash,
  nodeHash,
  parseSignedNote,
  parseVerifierKey,
  readCheckpointNote,
  readLeaf,
  rootFromInclusionPath,
  verifyInclusion,
  type InclusionProofInput,
  type VerifyInclusionInput,
} from '../console/src/verify/index.js';
import { SseReader } from '../console/src/pages/playground/sse.js';
import { ApiError, apiErrorFrom } from '../console/src/api/api-error.js';

const origin = 'nara.test/audit';

function event(index: number): AuditEvent {
  return {
    v: 1,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    requestId: `req-${index}`,
    meterId: `m-${index}`,
    endpoint: '/v1/chat/completions',
    stream: false,
    tenant: 'acme',
    keyId: 'key-1',
    model: 'exaone',
    backend: 'seoul-1',
    jurisdiction: 'KR',
    homeJurisdiction: 'KR',
    crossBorder: false,
    stages: [{ stage: 'authenticate', ok: true }],
    pii: null,
    status: 200,
    code: null,
    attempts: 1,
    latencyMs: 12,
    usage: { prompt: 3, completion: 4, cached: 0, estimated: false },
    requestSha256: sha256Hex(`request ${index}`),
    answerSha256: sha256Hex(`answer ${index}`),
    content: null,
    provenanceId: null,
  };
}

/** A log of `count` leaves chained as the server chains them. */
function buildLog(count: number): { leaves: Buffer[]; tree: MerkleTree } {
  const leaves: Buffer[] = [];
  const tree = new MerkleTree();
  let prev = firstPrev;
  for (let index = 0; index < count; index += 1) {
    const leaf = serializeLeaf(index, prev, event(index));
    leaves.push(leaf);
    const hash = serverLeafHash(leaf);
    tree.append(hash);
    prev = Buffer.from(hash).toString('hex');
  }
  return { leaves, tree };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function flip(bytes: Buffer, at: number, mask: number): void {
  bytes.writeUInt8((bytes.readUInt8(at) ^ mask) & 0xff, at);
}

function keyPair(name = origin) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signer: createNoteSigner(name, privateKey), verifierKey: formatVerifierKey(name, publicKey), publicKey };
}

function proofOf(tree: MerkleTree, index: number, size: number): InclusionProofInput {
  return {
    leaf_index: index,
    tree_size: size,
    leaf_hash: b64(tree.leaf(index)),
    audit_path: tree.inclusionProof(index, size).map(b64),
    root_hash: b64(tree.root(size)),
  };
}

const log = buildLog(23);
const key = keyPair();
const size = 23;
const note = signCheckpoint({ origin, size, rootHash: log.tree.root(size) }, [key.signer]);

function input(index: number, overrides: Partial<VerifyInclusionInput> = {}): VerifyInclusionInput {
  return { expectedIndex: index, leafBase64: b64(log.leaves[index] as Buffer), proof: proofOf(log.tree, index, size), checkpointNote: note, verifierKey: key.verifierKey, ...overrides };
}

/** Replaces line `line` of the note's text (0: origin, 1: size, 2: root), keeping its signature. */
function tamperLine(signed: string, line: number, replacement: string): string {
  const lines = signed.split('\n');
  lines[line] = replacement;
  return lines.join('\n');
}

describe('the console verify module against the server', () => {
  it('hashes leaves and nodes as the server does', async () => {
    const data = new TextEncoder().encode('{"i":0}');
    expect(b64(await leafHash(data))).toBe(b64(serverLeafHash(data)));
    const left = serverLeafHash(Uint8Array.of(1));
    const right = serverLeafHash(Uint8Array.of(2));
    expect(b64(await nodeHash(left, right))).toBe(b64(serverNodeHash(left, right)));
  });

  it('computes the key hash as the server does and reads the verifier key', async () => {
    const parsed = parseVerifierKey(key.verifierKey);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.key.name).toBe(origin);
    const expected = noteKeyId(origin, parsed.key.publicKey).toString(16).padStart(8, '0');
    expect(parsed.key.keyHash).toBe(expected);
    expect(await computeKeyHash(origin, parsed.key.publicKey)).toBe(expected);
  });

  it('reads a signed checkpoint note', () => {
    const read = readCheckpointNote(note);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.checkpoint.origin).toBe(origin);
    expect(read.checkpoint.size).toBe(size);
    expect(read.checkpoint.rootHashBase64).toBe(b64(log.tree.root(size)));
    expect(read.note.signatures).toHaveLength(1);
    expect(read.note.signatures[0]?.signature).toHaveLength(64);
  });

  it('finds the root of every leaf of trees of every size up to 40', async () => {
    const { tree } = buildLog(40);
    for (let treeSize = 1; treeSize <= 40; treeSize += 1) {
      for (let index = 0; index < treeSize; index += 1) {
        const path = tree.inclusionProof(index, treeSize);
        expect(inclusionPathLength(index, treeSize)).toBe(path.length);
        const result = await rootFromInclusionPath(tree.leaf(index), index, treeSize, path);
        expect(result.ok && b64(result.root)).toBe(b64(tree.root(treeSize)));
      }
    }
  });

  it('verifies every leaf of a signed log', async () => {
    for (let index = 0; index < size; index += 1) {
      const verdict = await verifyInclusion(input(index));
      expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
      expect(verdict.steps.map((step) => `${step.id}:${step.status}`)).toEqual(['key:passed', 'signature:passed', 'size:passed', 'leaf:passed', 'path:passed', 'root:passed']);
    }
  });

  it('verifies a proof without the optional leaf_hash and root_hash', async () => {
    const { leaf_index, tree_size, audit_path } = proofOf(log.tree, 5, size);
    expect((await verifyInclusion(input(5, { proof: { leaf_index, tree_size, audit_path } }))).ok).toBe(true);
  });

  it('verifies a tree of one leaf (empty path) and a checkpoint signed by several keys', async () => {
    const other = keyPair('witness.example');
    const single = signCheckpoint({ origin, size: 1, rootHash: log.tree.root(1) }, [other.signer, key.signer]);
    const verdict = await verifyInclusion(input(0, { proof: proofOf(log.tree, 0, 1), checkpointNote: single }));
    expect(verdict.ok).toBe(true);
  });

  async function failure(overrides: Partial<VerifyInclusionInput>, index = 7) {
    const verdict = await verifyInclusion(input(index, overrides));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) throw new Error('unreachable');
    // The failed step is reported, the ones before it passed, the ones after it were skipped.
    const at = verdict.steps.findIndex((step) => step.status === 'failed');
    expect(verdict.steps[at]?.id).toBe(verdict.failedStep);
    expect(verdict.steps.slice(0, at).every((step) => step.status === 'passed')).toBe(true);
    expect(verdict.steps.slice(at + 1).every((step) => step.status === 'skipped')).toBe(true);
    expect(verdict.steps).toHaveLength(6);
    return verdict;
  }

  it('fails at the leaf when a byte of the leaf is flipped', async () => {
    const leaf = Buffer.from(log.leaves[7] as Buffer);
    flip(leaf, leaf.length - 3, 0x01);
    const verdict = await failure({ leafBase64: b64(leaf) });
    expect([verdict.failedStep, verdict.code]).toEqual(['leaf', 'leaf-hash-mismatch']);
  });

  it('fails at the root when a flipped leaf comes with a bare proof (no leaf_hash or root_hash to compare)', async () => {
    const leaf = Buffer.from(log.leaves[7] as Buffer);
    flip(leaf, leaf.length - 3, 0x01);
    const { leaf_index, tree_size, audit_path } = proofOf(log.tree, 7, size);
    const verdict = await failure({ leafBase64: b64(leaf), proof: { leaf_index, tree_size, audit_path } });
    expect([verdict.failedStep, verdict.code]).toEqual(['root', 'root-mismatch']);
  });

  it('fails at the leaf when the leaf is another event than the proof is for', async () => {
    const verdict = await failure({ leafBase64: b64(log.leaves[8] as Buffer) });
    expect([verdict.failedStep, verdict.code]).toEqual(['leaf', 'unexpected-leaf-index']);
    expect(verdict.steps[3]?.facts).toMatchObject({ expectedIndex: 7, indexInLeaf: 8, answeredIndex: 8 });
  });

  describe('the leaf asked about (expectedIndex)', () => {
    it('refuses the genuine leaf and proof of another event, which would otherwise verify', async () => {
      // A lying server asked for event 7 answers with event 12's real bytes and real proof.
      const other = { leafBase64: b64(log.leaves[12] as Buffer), proof: proofOf(log.tree, 12, size) };
      expect((await verifyInclusion(input(12, other))).ok).toBe(true);
      const verdict = await failure({ ...other, expectedIndex: 7 });
      expect([verdict.failedStep, verdict.code]).toEqual(['leaf', 'unexpected-leaf-index']);
      expect(verdict.steps[3]?.facts).toMatchObject({ expectedIndex: 7, answeredIndex: 12 });
      // The proof's index is checked before the leaf is even read.
      expect(verdict.steps[3]?.facts.bytes).toBeUndefined();
    });

    it('refuses a proof of another index for a leaf that names no index', async () => {
      // Leaves that do not open with {"i":N, are checked by the proof's index alone.
      const tree = new MerkleTree();
      const plain = Array.from({ length: 4 }, (_, at) => Buffer.from(`plain leaf ${at}`));
      for (const leaf of plain) tree.append(serverLeafHash(leaf));
      const plainNote = signCheckpoint({ origin, size: 4, rootHash: tree.root(4) }, [key.signer]);
      const asked = { leafBase64: b64(plain[2] as Buffer), proof: proofOf(tree, 2, 4), checkpointNote: plainNote, verifierKey: key.verifierKey };
      expect((await verifyInclusion({ ...asked, expectedIndex: 2 })).ok).toBe(true);
      const verdict = await verifyInclusion({ ...asked, expectedIndex: 1 });
      expect(verdict.ok || [verdict.failedStep, verdict.code]).toEqual(['leaf', 'unexpected-leaf-index']);
    });

    it('refuses an expected index that is not a leaf index', async () => {
      for (const expectedIndex of [-1, 7.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '7' as unknown as number]) {
        const verdict = await failure({ expectedIndex });
        expect([verdict.failedStep, verdict.code], String(expectedIndex)).toEqual(['leaf', 'unexpected-leaf-index']);
      }
    });
  });

  it('fails at the path when one path element is wrong', async () => {
    const proof = proofOf(log.tree, 7, size);
    const wrong = Buffer.from(proof.audit_path[1] as string, 'base64');
    flip(wrong, 0, 0x80);
    const path = [...proof.audit_path];
    path[1] = b64(wrong);
    const verdict = await failure({ proof: { ...proof, audit_path: path } });
    expect([verdict.failedStep, verdict.code]).toEqual(['path', 'path-root-mismatch']);
    const bare = await failure({ proof: { leaf_index: 7, tree_size: size, audit_path: path } });
    expect([bare.failedStep, bare.code]).toEqual(['root', 'root-mismatch']);
  });

  it('fails at the path when it is too short, too long or not made of hashes', async () => {
    const proof = proofOf(log.tree, 7, size);
    expect((await failure({ proof: { ...proof, audit_path: proof.audit_path.slice(1) } })).code).toBe('path-length');
    expect((await failure({ proof: { ...proof, audit_path: [...proof.audit_path, proof.audit_path[0] as string] } })).code).toBe('path-length');
    expect((await failure({ proof: { ...proof, audit_path: ['AAAA', ...proof.audit_path.slice(1)] } })).code).toBe('path-malformed');
  });

  it('fails at the signature when the size or root line of the note is tampered with', async () => {
    const bigger = await failure({ checkpointNote: tamperLine(note, 1, String(size + 1)), proof: proofOf(log.tree, 7, size) });
    expect([bigger.failedStep, bigger.code]).toEqual(['signature', 'signature-invalid']);
    const root = await failure({ checkpointNote: tamperLine(note, 2, b64(log.tree.root(size - 1))) });
    expect([root.failedStep, root.code]).toEqual(['signature', 'signature-invalid']);
    const origin2 = await failure({ checkpointNote: tamperLine(note, 0, 'other.example/audit') });
    expect([origin2.failedStep, origin2.code]).toEqual(['signature', 'signature-invalid']);
  });

  it('fails at the size when the proof is for another tree size than the checkpoint', async () => {
    const verdict = await failure({ proof: proofOf(log.tree, 7, size - 2) });
    expect([verdict.failedStep, verdict.code]).toEqual(['size', 'size-mismatch']);
    const beyond = await failure({ proof: { ...proofOf(log.tree, 7, size), leaf_index: size } });
    expect([beyond.failedStep, beyond.code]).toEqual(['size', 'index-out-of-range']);
  });

  it('fails at the root when the same key signed a checkpoint of another tree (a forked log)', async () => {
    const forked = buildLog(24).tree;
    const forkNote = signCheckpoint({ origin, size, rootHash: forked.root(size - 1).map((byte, at) => (at === 0 ? byte ^ 1 : byte)) }, [key.signer]);
    const verdict = await failure({ checkpointNote: forkNote });
    expect([verdict.failedStep, verdict.code]).toEqual(['root', 'root-mismatch']);
  });

  it('fails at the signature when another key signed the checkpoint', async () => {
    const impostor = keyPair();
    const forged = signCheckpoint({ origin, size, rootHash: log.tree.root(size) }, [impostor.signer]);
    const verdict = await failure({ checkpointNote: forged });
    expect([verdict.failedStep, verdict.code]).toEqual(['signature', 'no-signature-by-key']);
    // The impostor's note names the same key hash as ours: only the Ed25519 check can tell.
    const ourKeyHash = noteKeyId(origin, key.publicKey.export({ format: 'der', type: 'spki' }).subarray(12)).toString(16).padStart(8, '0');
    const blob = Buffer.from(forged.trimEnd().split(' ').at(-1) as string, 'base64');
    blob.writeUInt32BE(Number.parseInt(ourKeyHash, 16), 0);
    const spoofed = forged.replace(/ [A-Za-z0-9+/=]+\n$/, ` ${b64(blob)}\n`);
    const spoof = await failure({ checkpointNote: spoofed });
    expect([spoof.failedStep, spoof.code]).toEqual(['signature', 'signature-invalid']);
  });

  it('fails at the signature when the signature is truncated', async () => {
    const line = note.trimEnd().split('\n').at(-1) as string;
    const blob = Buffer.from(line.split(' ').at(-1) as string, 'base64');
    const truncated = note.replace(line, `${line.slice(0, line.lastIndexOf(' '))} ${b64(blob.subarray(0, 60))}`);
    const verdict = await failure({ checkpointNote: truncated });
    expect([verdict.failedStep, verdict.code]).toEqual(['signature', 'signature-malformed']);
    // Cut characters off the text instead: the base64 is no longer canonical, the note no longer parses.
    const cut = note.replace(line, line.slice(0, -3));
    expect((await failure({ checkpointNote: cut })).code).toBe('note-malformed');
  });

  it('fails at the key when the key hash does not match, or the key is malformed', async () => {
    const parsed = parseVerifierKey(key.verifierKey);
    if (!parsed.ok) throw new Error('unreachable');
    const wrongHash = key.verifierKey.replace(`+${parsed.key.keyHash}+`, `+${((Number.parseInt(parsed.key.keyHash, 16) ^ 1) >>> 0).toString(16).padStart(8, '0')}+`);
    const verdict = await failure({ verifierKey: wrongHash });
    expect([verdict.failedStep, verdict.code]).toEqual(['key', 'key-hash-mismatch']);
    // The name is part of the key hash: renaming the key breaks it.
    expect((await failure({ verifierKey: key.verifierKey.replace(origin, 'other.example/audit') })).code).toBe('key-hash-mismatch');
    expect((await failure({ verifierKey: 'not a key' })).code).toBe('key-malformed');
    expect((await failure({ verifierKey: `${origin}+${parsed.key.keyHash}+${b64(Uint8Array.of(2, ...parsed.key.publicKey))}` })).code).toBe('key-malformed');
  });

  it('fails at the signature when a genuine key of another log verifies a checkpoint naming that other log', async () => {
    const other = keyPair('other.example/audit');
    const otherNote = signCheckpoint({ origin: 'elsewhere.example/audit', size, rootHash: log.tree.root(size) }, [other.signer]);
    const verdict = await failure({ checkpointNote: otherNote, verifierKey: other.verifierKey });
    expect([verdict.failedStep, verdict.code]).toEqual(['signature', 'origin-mismatch']);
  });

  it('never throws on hostile input', async () => {
    const hostile = [
      { expectedIndex: 0, leafBase64: '%%%', proof: null as unknown as InclusionProofInput, checkpointNote: '', verifierKey: '' },
      { ...input(3), checkpointNote: 'x\n\n— a b\n' },
      { ...input(3), proof: { leaf_index: -1, tree_size: 1.5, audit_path: 'x' } as unknown as InclusionProofInput },
      { ...input(3), proof: { ...proofOf(log.tree, 3, size), audit_path: [null] } as unknown as InclusionProofInput },
    ];
    for (const value of hostile) expect((await verifyInclusion(value)).ok).toBe(false);
  });

  it('refuses non-canonical base64 and malformed notes', () => {
    expect(decodeBase64('AB==')).toBeUndefined();
    expect(decodeBase64('AA==')).toEqual(Uint8Array.of(0));
    expect(decodeBase64('AA=')).toBeUndefined();
    expect(decodeBase64('A A=')).toBeUndefined();
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=');
    expect(parseSignedNote('no blank line\n').ok).toBe(false);
    expect(parseSignedNote('text\n\n- a AAAAAAA=\n').ok).toBe(false);
    expect(parseSignedNote('text\r\n\n— a AAAAAAA=\n').ok).toBe(false);
  });
});

describe('reading a leaf in the browser', () => {
  it('reads every field of a Nara leaf from its bytes, its own index included', () => {
    const reading = readLeaf(b64(log.leaves[5] as Buffer));
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.index).toBe(5);
    const { i, prev, ...fields } = reading.fields;
    expect([i, typeof prev]).toEqual([5, 'string']);
    expect(fields).toEqual(JSON.parse(JSON.stringify(event(5))));
  });

  it('says what is wrong with bytes that are not one UTF-8 JSON object', () => {
    const bytes = (text: string | Uint8Array) => b64(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    expect(readLeaf('%%%')).toMatchObject({ ok: false, problem: 'base64' });
    expect(readLeaf('AB==')).toMatchObject({ ok: false, problem: 'base64' });
    expect(readLeaf(bytes('{"i":1,'))).toMatchObject({ ok: false, problem: 'json' });
    expect(readLeaf(bytes('[1,2]'))).toMatchObject({ ok: false, problem: 'json' });
    expect(readLeaf(bytes('null'))).toMatchObject({ ok: false, problem: 'json' });
    expect(readLeaf(bytes(Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)))).toMatchObject({ ok: false, problem: 'json' });
    expect(readLeaf(bytes('{"tenant":"acme"}'))).toEqual({ ok: true, index: undefined, fields: { tenant: 'acme' } });
  });
});

describe("the console's reader of Nara's error body", () => {
  const response = (status: number, requestId: string | null = 'req-42') => ({ status, statusText: status === 502 ? 'Bad Gateway' : '', headers: new Headers(requestId === null ? {} : { 'x-request-id': requestId }) });

  it('reads message, code, param and the request id', () => {
    const error = apiErrorFrom(response(400), JSON.stringify({ error: { message: 'Bad tenant.', code: 'invalid_request', param: 'id' } }));
    expect(error).toBeInstanceOf(ApiError);
    expect([error.message, error.status, error.code, error.param, error.requestId]).toEqual(['Bad tenant.', 400, 'invalid_request', 'id', 'req-42']);
  });

  it("takes OpenAI's type for a missing code, and the status for neither", () => {
    expect(apiErrorFrom(response(429), '{"error":{"message":"Slow down.","type":"rate_limit"}}').code).toBe('rate_limit');
    expect(apiErrorFrom(response(500), '{"error":{"message":"Oops."}}').code).toBe('http_500');
  });

  it('shows a short foreign body as it is, a long or empty one as the status', () => {
    expect(apiErrorFrom(response(502, null), ' upstream down \n')).toMatchObject({ message: 'upstream down', code: 'http_502', requestId: null });
    expect(apiErrorFrom(response(502), 'x'.repeat(600)).message).toBe('HTTP 502 Bad Gateway');
    expect(apiErrorFrom(response(502), '').message).toBe('HTTP 502 Bad Gateway');
    expect(apiErrorFrom(response(400), '{"error":null}').code).toBe('http_400');
    expect(apiErrorFrom(response(400), 'null').code).toBe('http_400');
  });
});

describe("the playground's server-sent events reader", () => {
  const stream = 'data: {"a":1}\n\n: a comment\r\ndata: {"b":2}\r\n\r\ndata: line one\ndata: line two\n\nevent: ignored\ndata:[DONE]\n\n';

  it('reads the same events however the stream is cut into chunks', () => {
    const expected = ['{"a":1}', '{"b":2}', 'line one\nline two', '[DONE]'];
    for (let size = 1; size <= stream.length; size += 1) {
      const reader = new SseReader();
      const events: string[] = [];
      for (let at = 0; at < stream.length; at += size) events.push(...reader.push(stream.slice(at, at + size)));
      events.push(...reader.end());
      expect(events, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('dispatches an event left open when the stream ends', () => {
    const reader = new SseReader();
    expect(reader.push('data: {"error":{"code":"x"}}')).toEqual([]);
    expect(reader.end()).toEqual(['{"error":{"code":"x"}}']);
  });
});
