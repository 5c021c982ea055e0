/**
 * Retention: segments whose events are all past their tenant's retention are removed, their leaf
 * hashes kept, so the log still verifies against the checkpoints signed before, and proofs still
 * work, for removed and kept events alike. A tenant that keeps its events longer holds its
 * segment back.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openNote, parseVerifierKey } from '../src/audit/signed-note.js';
import { parseCheckpoint } from '../src/audit/checkpoint.js';
import { verifyInclusion } from '../src/audit/merkle.js';
import type { AuditEvent } from '../src/spec/audit.js';
import { AuditService } from '../src/store/audit/audit-service.js';
import { listSegments } from '../src/store/audit/segment-files.js';
import { runNara } from './support/cli-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function event(index: number, time: string, tenant: string): AuditEvent {
  return {
    v: 1, time, requestId: `r-${index}`, meterId: `m-${index}`, endpoint: '/v1/chat/completions', stream: false, tenant, keyId: 'key_1', model: 'seed',
    backend: 'seoul', jurisdiction: 'KR', homeJurisdiction: 'KR', crossBorder: false, stages: [], pii: null, status: 200, code: null, attempts: 1,
    latencyMs: 1, usage: null, requestSha256: null, answerSha256: null, content: null, provenanceId: null,
  };
}

async function openService(dir: string): Promise<AuditService> {
  return AuditService.open({ dir, mode: 'strict', segmentBytes: 4096, flushIntervalMs: 1000, origin: 'retention.test/log', checkpointIntervalMs: 3_600_000 });
}

describe('audit retention', () => {
  it('removes old segments, keeps their hashes, and everything still verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nara-retention-'));
    dirs.push(dir);
    const service = await openService(dir);
    // 40 events from 2024 (past a year's retention), then 10 from today.
    for (let index = 0; index < 40; index += 1) await service.log.append(event(index, '2024-01-01T00:00:00.000Z', 'moi'));
    for (let index = 40; index < 50; index += 1) await service.log.append(event(index, new Date().toISOString(), 'moi'));
    const before = await service.checkpoint();
    const proofBefore = service.inclusionProof({ index: 3 });

    const result = await service.prune(() => 365);
    expect(result.events).toBeGreaterThan(0);
    const segments = listSegments(join(dir, 'segments'));
    expect(segments.filter((segment) => segment.pruned).length).toBe(result.segments.length);
    for (const name of result.segments) {
      expect(existsSync(join(dir, 'segments', name))).toBe(false);
      expect(existsSync(join(dir, 'segments', `${name}.hashes`))).toBe(true);
    }
    // Today's events are all still there.
    expect(segments.filter((segment) => !segment.pruned).length).toBeGreaterThan(0);
    // Leaves removed while running read as gone (the console answers 404), those kept as stored.
    expect(await service.readLeaf(3)).toBeUndefined();
    expect(JSON.parse(Buffer.from((await service.readLeaf(45)) ?? []).toString('utf8')).i).toBe(45);

    const vkey = service.verifierKey;
    await service.close();

    // Reopened from the kept hashes: same tree, same proofs.
    const reopened = await openService(dir);
    expect(reopened.log.size).toBe(50);
    expect(await reopened.readLeaf(3)).toBeUndefined();
    expect(JSON.parse(Buffer.from((await reopened.readLeaf(49)) ?? []).toString('utf8')).i).toBe(49);
    expect(reopened.inclusionProof({ index: 3, size: before?.size })).toEqual(proofBefore);
    const verifier = parseVerifierKey(vkey);
    if (!verifier.ok || before === undefined) throw new Error('no verifier or checkpoint');
    const opened = openNote(before.note, [verifier.verifier]);
    const checkpoint = opened.ok ? parseCheckpoint(opened.text) : undefined;
    if (checkpoint?.ok !== true) throw new Error('checkpoint does not open');
    const proof = reopened.inclusionProof({ index: 45, size: checkpoint.checkpoint.size });
    const bytes = (value: string) => new Uint8Array(Buffer.from(value, 'base64'));
    expect(verifyInclusion(bytes(proof.leaf_hash), 45, proof.tree_size, proof.audit_path.map(bytes), checkpoint.checkpoint.rootHash)).toBe(true);
    await reopened.close();

    const verified = await runNara(['audit', 'verify', '--dir', dir, '--origin', 'retention.test/log', '--key', vkey], { cwd: dir });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^OK: 50 events/);
    expect(verified.stderr).toContain(`${result.events} events were removed by retention`);
  });

  it("keeps a segment while any tenant's retention still covers one of its events", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nara-retention-'));
    dirs.push(dir);
    const service = await openService(dir);
    for (let index = 0; index < 40; index += 1) await service.log.append(event(index, '2024-01-01T00:00:00.000Z', index === 5 ? 'archive' : 'moi'));
    for (let index = 40; index < 50; index += 1) await service.log.append(event(index, new Date().toISOString(), 'moi'));
    const result = await service.prune((tenant) => (tenant === 'archive' ? 3650 : 365));
    // The segment holding the archive tenant's event stays, and so does everything after it.
    expect(result.events).toBe(0);
    await service.close();
  });
});
