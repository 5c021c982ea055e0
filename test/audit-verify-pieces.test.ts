/**
 * `nara audit verify` hashes large logs in worker threads, piece by piece, each worker aligning its
 * byte range to whole lines. Whatever the cut, the facts must be exactly those of reading each
 * segment in one pass — including a line cut in the middle, a torn tail and a changed byte — so the
 * verdict and the line it names are the same. Runs the built worker (dist/), as the CLI does.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifiedSegment } from '../src/audit/log-verifier.js';
import { verifyAuditLog } from '../src/audit/log-verifier.js';
import { formatVerifierKey, parseVerifierKey, type NoteVerifier } from '../src/audit/signed-note.js';
import { loadSigningKey } from '../src/store/audit/signing-key.js';
import { AuditService } from '../src/store/audit/audit-service.js';
import { listSegments } from '../src/store/audit/segment-files.js';
import { readCheckpoints } from '../src/store/audit/checkpoint-store.js';

type ReadFacts = (segments: ReturnType<typeof listSegments>, reading?: { pieceBytes: number; inThreadBytes: number }) => AsyncGenerator<VerifiedSegment>;
let readSegmentFacts: ReadFacts;
const dir = mkdtempSync(join(tmpdir(), 'nara-verify-pieces-'));
const origin = 'pieces.test/log';

beforeAll(async () => {
  ({ readSegmentFacts } = (await import(new URL('../dist/cli/audit-facts.js', import.meta.url).href)) as { readSegmentFacts: ReadFacts });
  const service = await AuditService.open({ dir, mode: 'batched', segmentBytes: 60_000, flushIntervalMs: 1000, origin, checkpointIntervalMs: 3_600_000 });
  for (let index = 0; index < 400; index += 1) {
    // Events of varied lengths, so piece boundaries fall anywhere in a line.
    await service.append({ v: 1, time: new Date(0).toISOString(), requestId: `req-${index}`, tenant: 't', note: 'x'.repeat((index * 37) % 300) } as never);
    if (index % 100 === 99) await service.checkpoint();
  }
  await service.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(reading?: { pieceBytes: number; inThreadBytes: number }) {
  const segments = listSegments(join(dir, 'segments'));
  const rows: { name: string; hashes: string; indexes: number[]; torn: boolean }[] = [];
  for await (const piece of readSegmentFacts(segments, reading)) {
    rows.push({ name: piece.name, hashes: Buffer.from(piece.facts.hashes).toString('hex'), indexes: [...piece.facts.statedIndex], torn: piece.facts.tornTail });
  }
  const joined = new Map<string, { hashes: string; indexes: number[]; torn: boolean }>();
  for (const row of rows) {
    const before = joined.get(row.name) ?? { hashes: '', indexes: [], torn: false };
    joined.set(row.name, { hashes: before.hashes + row.hashes, indexes: [...before.indexes, ...row.indexes], torn: before.torn || row.torn });
  }
  return joined;
}

async function verdict(reading?: { pieceBytes: number; inThreadBytes: number }) {
  const checkpoints = readCheckpoints(dir).checkpoints.map((checkpoint, index) => ({ size: checkpoint.size, note: checkpoint.note, where: `checkpoints.log line ${index + 1}` }));
  return verifyAuditLog(readSegmentFacts(listSegments(join(dir, 'segments')), reading), checkpoints, noteVerifier(), origin);
}

function noteVerifier(): NoteVerifier {
  const parsed = parseVerifierKey(formatVerifierKey(origin, loadSigningKey({ dir, create: false }).publicKey));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.verifier;
}

const inPieces = (pieceBytes: number) => ({ pieceBytes, inThreadBytes: 0 });

describe('verification in pieces', () => {
  it('gives the same facts and verdict as one pass, for any piece size', async () => {
    expect(listSegments(join(dir, 'segments')).length).toBeGreaterThan(2);
    const whole = await collect();
    for (const size of [53, 97, 1000, 1_000_000]) expect(await collect(inPieces(size))).toEqual(whole);
    expect(await verdict(inPieces(97))).toMatchObject({ ok: true, leaves: 400, checkpoints: 4 });
  });

  it('names the same line for a changed byte and finds the same torn tail', async () => {
    const segments = listSegments(join(dir, 'segments'));
    const second = segments[1]?.path ?? '';
    const original = readFileSync(second);
    const changed = Buffer.from(original);
    const at = original.indexOf('"req-', Math.floor(original.length / 2)) + 5;
    changed[at] = '9'.charCodeAt(0) === changed[at] ? '8'.charCodeAt(0) : '9'.charCodeAt(0);
    writeFileSync(second, changed);
    try {
      const expected = await verdict();
      expect(expected.ok).toBe(false);
      for (const size of [59, 333, 5000]) expect((await verdict(inPieces(size))).problem).toEqual(expected.problem);
    } finally {
      writeFileSync(second, original);
    }
    const last = segments[segments.length - 1]?.path ?? '';
    appendFileSync(last, '{"i":400,"prev":"ab');
    const whole = await collect();
    expect([...whole.values()].at(-1)?.torn).toBe(true);
    expect(await collect(inPieces(61))).toEqual(whole);
  });
});
