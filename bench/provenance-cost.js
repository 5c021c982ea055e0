#!/usr/bin/env node
/**
 * What signed provenance costs per output, in process (no HTTP, so the figures hold still on a
 * noisy machine): the audit service's whole `attest` — build the manifest, sign it in a batch with
 * the outputs sealed at the same moment, keep the envelope in provenance.jsonl, fingerprint the
 * text for detection — for batches of 1 (a lone client) up to 50 (under load, where the audit log's
 * group commit releases dozens of requests at once), and the parts alone.
 * Usage: npm run build && node bench/provenance-cost.js [--outputs 20000]
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { AuditService } from '../dist/store/audit/audit-service.js';
import { buildManifest, publicJwk } from '../dist/audit/provenance.js';
import { signManifests } from '../dist/audit/provenance-envelope.js';
import { sketchOf } from '../dist/audit/shingles.js';

const { values } = parseArgs({ options: { outputs: { type: 'string', default: '20000' } } });
const outputs = Number(values.outputs);
const dir = mkdtempSync(join(tmpdir(), 'nara-bench-provenance-'));
const text = '서울의 날씨는 맑고 기온은 영상 십도입니다. 내일은 비가 올 수 있으니 우산을 준비하세요. 주말에는 다시 맑아지겠습니다.';
const facts = (index) => ({ id: `prov_${index}`, text, tenant: 'ministry', model: 'hcx-seed', backend: 'seoul-gpu-1', jurisdiction: 'KR', operator: 'Ministry of Science and ICT', verdicts: [{ stage: 'route', status: 'ok', detail: 'seoul-gpu-1' }, { stage: 'residency', status: 'allowed', detail: 'KR' }], auditLeafIndex: index });
const cpuMicros = (start) => {
  const used = process.cpuUsage(start);
  return used.user + used.system;
};

function measure(name, count, work) {
  for (let index = 0; index < Math.min(2000, count / 10); index += 1) work(index);
  const start = process.cpuUsage();
  for (let index = 0; index < count; index += 1) work(index);
  console.log(`| ${name} | ${(cpuMicros(start) / count).toFixed(1)} µs |`);
}

try {
  console.log('| per output | CPU |');
  console.log('|---|---|');
  const service = await AuditService.open({ dir, mode: 'batched', segmentBytes: 64 * 1024 * 1024, flushIntervalMs: 1000, origin: 'bench.nara/audit', checkpointIntervalMs: 3_600_000 });
  let next = 0;
  for (const batch of [1, 8, 50]) {
    const round = () => Promise.all(Array.from({ length: batch }, () => service.attest(facts(next++)))).then(() => nextTurn());
    for (let index = 0; index < 200; index += 1) await round();
    const start = process.cpuUsage();
    for (let done = 0; done < outputs; done += batch) await round();
    console.log(`| attest, whole (manifest, batch signature, store, fingerprint), batches of ${batch} | ${(cpuMicros(start) / outputs).toFixed(1)} µs |`);
  }
  await service.close();
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = publicJwk(publicKey).kid;
  const manifests = Array.from({ length: 50 }, (_, index) => buildManifest({ ...facts(index), generator: 'nara/bench', auditLog: 'bench.nara/audit' }));
  measure('manifest built', outputs, (index) => buildManifest({ ...facts(index), generator: 'nara/bench', auditLog: 'bench.nara/audit' }));
  measure('envelope, batch of 1 (one Ed25519 signature)', outputs / 4, (index) => signManifests([manifests[index % 50]], privateKey, kid));
  const batches = outputs / 50;
  const start = process.cpuUsage();
  for (let index = 0; index < batches; index += 1) signManifests(manifests, privateKey, kid);
  console.log(`| envelope, batch of 50 (tree, paths, one signature) | ${(cpuMicros(start) / (batches * 50)).toFixed(1)} µs |`);
  const key = new Uint8Array(32).fill(7);
  measure(`detection fingerprint (${text.length} characters)`, outputs, () => sketchOf(text, key));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
