#!/usr/bin/env node
/**
 * How fast `nara audit verify` re-checks a log from scratch. Writes a log of `--events` events
 * (each about as large as a chat request's event, with signed checkpoints every 20,000) through
 * the audit service itself, then runs the real CLI `--runs` times and reports the median of the
 * events per second it measures (reading, hashing every leaf, building the tree, checking every
 * checkpoint's signature, root and consistency; the CLI's own start-up is not counted).
 * Events are padded (a `note` field) to about `--event-bytes` bytes a line, the size of a real chat
 * request's event with its verdicts and digests.
 * Usage: npm run build && node bench/audit-verify.js [--events 300000] [--runs 5] [--segment-mb 64] [--event-bytes 940]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditService } from '../dist/store/audit/audit-service.js';
import { median } from './lib/stats.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '300000' }, runs: { type: 'string', default: '5' }, 'segment-mb': { type: 'string', default: '64' }, 'event-bytes': { type: 'string', default: '940' } } });
const naraBin = new URL('../bin/nara.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nara-bench-verify-'));
const origin = 'bench.nara/audit';
const events = Number(values.events);

try {
  const service = await AuditService.open({ dir, mode: 'batched', segmentBytes: Number(values['segment-mb']) * 1024 * 1024, flushIntervalMs: 1000, origin, checkpointIntervalMs: 3_600_000 });
  const bare = JSON.stringify({ i: 0, prev: 'f'.repeat(64), ...{ v: 1, time: new Date().toISOString(), requestId: 'req-0-000000000000', tenant: 'ministry-of-interior', keyId: 'key_70637dd7b5d1', endpoint: '/v1/chat/completions', model: 'hcx-seed', backend: 'seoul-gpu-1', jurisdiction: 'KR', crossBorder: false, verdicts: [{ stage: 'route', status: 'ok', detail: 'seoul-gpu-1' }, { stage: 'residency', status: 'allowed', detail: 'KR' }, { stage: 'pii', status: 'pass' }], status: 200, errorCode: null, usage: { promptTokens: 24, completionTokens: 180 }, latencyMs: 812.4, requestSha256: 'a'.repeat(64), answerSha256: 'b'.repeat(64), provenanceId: 'prov_0', note: '' } }).length;
  const padding = 'x'.repeat(Math.max(0, Number(values['event-bytes']) - bare));
  const event = (index) => ({
    v: 1,
    time: new Date().toISOString(),
    requestId: `req-${index.toString(36)}-${'0'.repeat(12)}`,
    tenant: 'ministry-of-interior',
    keyId: 'key_70637dd7b5d1',
    endpoint: '/v1/chat/completions',
    model: 'hcx-seed',
    backend: 'seoul-gpu-1',
    jurisdiction: 'KR',
    crossBorder: false,
    verdicts: [{ stage: 'route', status: 'ok', detail: 'seoul-gpu-1' }, { stage: 'residency', status: 'allowed', detail: 'KR' }, { stage: 'pii', status: 'pass' }],
    status: 200,
    errorCode: null,
    usage: { promptTokens: 24, completionTokens: 180 },
    latencyMs: 812.4,
    requestSha256: 'a'.repeat(64),
    answerSha256: 'b'.repeat(64),
    provenanceId: `prov_${index.toString(36)}`,
    note: padding,
  });
  for (let index = 0; index < events; index += 1000) {
    await Promise.all(Array.from({ length: Math.min(1000, events - index) }, (_, offset) => service.append(event(index + offset))));
    if ((index + 1000) % 20_000 === 0) await service.checkpoint();
  }
  await service.close();
  const rates = [];
  for (let run = 1; run <= Number(values.runs); run += 1) {
    const report = JSON.parse(execFileSync(process.execPath, [naraBin, 'audit', 'verify', '--dir', dir, '--origin', origin, '--json'], { encoding: 'utf8' }));
    if (!report.ok) throw new Error(`verification failed: ${report.problem?.message}`);
    rates.push(report.leaves / report.seconds);
    console.error(`run ${run}: ${report.leaves} events, ${report.checkpoints} checkpoints in ${report.seconds.toFixed(3)} s = ${Math.round(report.leaves / report.seconds).toLocaleString('en')} events/s`);
  }
  console.log(`nara audit verify, ${events.toLocaleString('en')} events of ~${values['event-bytes']} bytes in ${values['segment-mb']} MB segments: median ${Math.round(median(rates)).toLocaleString('en')} events/s (min ${Math.round(Math.min(...rates)).toLocaleString('en')}, max ${Math.round(Math.max(...rates)).toLocaleString('en')})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
