/**
 * The audit log end to end: one event per request however it ends, on disk before the response
 * completes (strict mode), signed checkpoints and proofs an outsider can check with the published
 * key alone, `nara audit verify` catching each kind of tampering at the right place, failing
 * closed when the log cannot be written, and the cross-border report.
 */
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../src/audit/checkpoint.js';
import { verifyConsistency, verifyInclusion } from '../src/audit/merkle.js';
import { createNoteSigner, openNote, parseVerifierKey, signNote } from '../src/audit/signed-note.js';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { runNara } from './support/cli-process.js';
import { startHarness, type Harness } from './support/nara-harness.js';

let engine: FakeEngine;
let harness: Harness;
let key: string;
const adminToken = 'audit-admin-token-0123456789abcdef';
const origin = 'audit.test.nara/log';

function config(): string {
  return `
audit: { origin: ${origin}, checkpointIntervalMs: 3600000 }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [seed]
  - id: singapore
    url: ${engine.url}
    jurisdiction: SG
    models: [sea]
tenants:
  - id: moi
    jurisdictions: [KR, SG]
    homeJurisdiction: KR
    audit: { content: pseudonymised }
`;
}

const auditDir = () => join(harness.dataDir, 'audit');
const segmentLines = () =>
  readdirSync(join(auditDir(), 'segments'))
    .sort()
    .flatMap((name) => readFileSync(join(auditDir(), 'segments', name), 'utf8').split('\n').filter((line) => line !== ''));
const events = () => segmentLines().map((line) => JSON.parse(line) as Record<string, unknown>);

async function admin(path: string, method = 'GET'): Promise<Response> {
  return fetch(`${harness.url}${path}`, { method, headers: { authorization: `Bearer ${adminToken}` } });
}

beforeAll(async () => {
  engine = await startFakeEngine();
  harness = await startHarness(config(), { adminToken });
  key = await harness.createKey('moi');
});

afterAll(async () => {
  await harness.close();
  await engine.close();
});

describe('one event per request', () => {
  it('records served, refused and failed requests, each on disk before its response completes', async () => {
    const served = await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: '전화 010-2345-6789' }] }, key, { 'x-request-id': 'audit-json-1' });
    expect(served.status).toBe(200);
    const body = await served.text();
    // Strict mode: the event is in the file the moment the client has its answer.
    const event = events().find((line) => line.requestId === 'audit-json-1');
    expect(event).toMatchObject({ v: 1, tenant: 'moi', model: 'seed', backend: 'seoul', jurisdiction: 'KR', crossBorder: false, status: 200, code: null, endpoint: '/v1/chat/completions' });
    // The digest is of the answer as sent, without the provenance member added after the event was written.
    const unsealed = `${body.slice(0, body.lastIndexOf(',"nara":'))}}`;
    expect(event?.answerSha256).toBe((await import('node:crypto')).createHash('sha256').update(unsealed).digest('hex'));
    expect(JSON.stringify(event?.stages)).toContain('"stage":"route"');
    // Pseudonymised content: the phone number is a token in the log.
    expect(JSON.stringify(event?.content)).toContain('⟨PHONE_1⟩');
    expect(JSON.stringify(event)).not.toContain('2345-6789');

    const streamed = await harness.post('/v1/chat/completions', { model: 'sea', stream: true, messages: [{ role: 'user', content: 'hi' }] }, key, { 'x-request-id': 'audit-sse-1' });
    const streamText = await streamed.text();
    expect(streamText.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(events().find((line) => line.requestId === 'audit-sse-1')).toMatchObject({ stream: true, backend: 'singapore', crossBorder: true, homeJurisdiction: 'KR' });

    expect((await harness.post('/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'hi' }] }, key, { 'x-request-id': 'audit-404' })).status).toBe(404);
    expect((await harness.post('/v1/chat/completions', { model: 'seed', messages: [] }, 'nara-wrong-key', { 'x-request-id': 'audit-401' })).status).toBe(401);
    engine.behave('error-500');
    try {
      expect((await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, key, { 'x-request-id': 'audit-502' })).status).toBe(502);
    } finally {
      engine.behave('ok');
    }
    const byId = new Map(events().map((line) => [line.requestId, line]));
    expect(byId.get('audit-404')).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(byId.get('audit-401')).toMatchObject({ status: 401, code: 'invalid_api_key', tenant: null, keyId: null });
    expect(byId.get('audit-502')).toMatchObject({ status: 502, code: 'upstream_error' });
    // Exactly one event each.
    for (const id of ['audit-json-1', 'audit-sse-1', 'audit-404', 'audit-401', 'audit-502']) expect(events().filter((line) => line.requestId === id)).toHaveLength(1);
  });
});

describe('checkpoints and proofs', () => {
  it('serves a signed checkpoint that verifies with the published key, and proofs that verify against it', async () => {
    const vkey = (await (await fetch(`${harness.url}/audit/v1/key`)).text()).trim();
    const verifier = parseVerifierKey(vkey);
    if (!verifier.ok) throw new Error(verifier.reason);
    const firstNote = await (await admin('/audit/v1/checkpoint', 'POST')).text();
    const opened = openNote(firstNote, [verifier.verifier]);
    if (!opened.ok) throw new Error(opened.reason);
    const first = parseCheckpoint(opened.text);
    if (!first.ok) throw new Error(first.reason);
    expect(first.checkpoint.origin).toBe(origin);
    expect(await (await fetch(`${harness.url}/audit/v1/checkpoint`)).text()).toBe(firstNote);

    const proofAnswer = await admin(`/audit/v1/proof/inclusion?requestId=audit-json-1&size=${first.checkpoint.size}`);
    expect(proofAnswer.status).toBe(200);
    const proof = (await proofAnswer.json()) as { leaf_index: number; tree_size: number; leaf_hash: string; audit_path: string[] };
    const bytes = (value: string) => new Uint8Array(Buffer.from(value, 'base64'));
    expect(verifyInclusion(bytes(proof.leaf_hash), proof.leaf_index, proof.tree_size, proof.audit_path.map(bytes), first.checkpoint.rootHash)).toBe(true);
    // The leaf hash is the hash of the stored line: an auditor holding the event can check it.
    const line = segmentLines()[proof.leaf_index] ?? '';
    const { leafHash } = await import('../src/audit/merkle.js');
    expect(Buffer.from(leafHash(Buffer.from(line))).toString('base64')).toBe(proof.leaf_hash);

    await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'more' }] }, key);
    const second = parseCheckpoint((openNote(await (await admin('/audit/v1/checkpoint', 'POST')).text(), [verifier.verifier]) as { text: string }).text);
    if (!second.ok) throw new Error(second.reason);
    expect(second.checkpoint.size).toBeGreaterThan(first.checkpoint.size);
    const consistency = (await (await admin(`/audit/v1/proof/consistency?first=${first.checkpoint.size}&second=${second.checkpoint.size}`)).json()) as { consistency: string[] };
    expect(verifyConsistency(first.checkpoint.size, second.checkpoint.size, first.checkpoint.rootHash, second.checkpoint.rootHash, consistency.consistency.map(bytes))).toBe(true);
  });

  it('answers bad proof queries with clear errors, and keeps proofs behind the admin token', async () => {
    expect((await fetch(`${harness.url}/audit/v1/proof/inclusion?index=0`)).status).toBe(401);
    expect(((await (await admin('/audit/v1/proof/inclusion?index=99999')).json()) as { error: { code: string } }).error.code).toBe('audit_not_found');
    expect(((await (await admin('/audit/v1/proof/inclusion?index=x')).json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'invalid_request', param: 'index' });
    expect(((await (await admin('/audit/v1/proof/consistency?first=5&second=2')).json()) as { error: { code: string } }).error.code).toBe('audit_not_found');
  });
});

describe('nara audit verify', () => {
  let copy: string;
  beforeAll(async () => {
    await harness.nara.gateway(); // settled
    await admin('/audit/v1/checkpoint', 'POST');
  });

  const fresh = () => {
    copy = mkdtempSync(join(tmpdir(), 'nara-audit-copy-'));
    cpSync(auditDir(), copy, { recursive: true });
    return copy;
  };
  const verify = async (dir: string, extra: string[] = []) => runNara(['audit', 'verify', '--dir', dir, '--origin', origin, ...extra], { cwd: dir });
  const segmentOf = (dir: string) => join(dir, 'segments', readdirSync(join(dir, 'segments')).sort()[0] ?? '');
  const rewriteLines = (dir: string, change: (lines: string[]) => string[]) => {
    const path = segmentOf(dir);
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
    writeFileSync(path, `${change(lines).join('\n')}\n`);
  };

  it('passes on the untouched log, with the published key', async () => {
    const vkey = (await (await fetch(`${harness.url}/audit/v1/key`)).text()).trim();
    const result = await verify(fresh(), ['--key', vkey]);
    expect(result.stdout).toMatch(/^OK: \d+ events and \d+ signed checkpoints verified/);
    expect(result.code).toBe(0);
  });

  it('names the leaf whose byte was flipped', async () => {
    const dir = fresh();
    rewriteLines(dir, (lines) => lines.map((line, index) => (index === 1 ? line.replace('"model":"sea"', '"model":"seb"') : line)));
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('leaf 1 was changed');
  });

  it('names a deleted or reordered event', async () => {
    const deleted = fresh();
    rewriteLines(deleted, (lines) => lines.filter((_line, index) => index !== 2));
    expect((await verify(deleted)).stdout).toContain('says it is leaf 3');
    const reordered = fresh();
    rewriteLines(reordered, (lines) => [lines[0] ?? '', lines[2] ?? '', lines[1] ?? '', ...lines.slice(3)]);
    expect((await verify(reordered)).stdout).toContain('leaf 1 (segment 000000000000.jsonl line 2) says it is leaf 2');
  });

  it('reports a truncated segment against the checkpoint that covered it', async () => {
    const dir = fresh();
    rewriteLines(dir, (lines) => lines.slice(0, 2));
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the log holds 2 leaves but the checkpoint at checkpoints.log line \d+ was signed for \d+/);
  });

  it('rejects a checkpoint signed with another key', async () => {
    const dir = fresh();
    const { privateKey } = generateKeyPairSync('ed25519');
    const lastSize = events().length;
    const forged = signNote(`${origin}\n${lastSize}\n${Buffer.alloc(32, 7).toString('base64')}\n`, [createNoteSigner(origin, privateKey)]);
    appendFileSync(join(dir, 'checkpoints.log'), `${JSON.stringify({ time: new Date().toISOString(), size: lastSize, note: forged })}\n`);
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/checkpoint at checkpoints.log line \d+: .*/);
  });

  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
  });
});

describe('when the log cannot be written', () => {
  it('refuses requests with 503 audit_unavailable, and serves again once it can', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nara-audit-fail-'));
    const small = await startHarness(config().replace('checkpointIntervalMs: 3600000', 'checkpointIntervalMs: 3600000, segmentBytes: 4096'), { dataDir });
    try {
      const tenantKey = await small.createKey('moi');
      const ask = () => small.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, tenantKey);
      expect((await ask()).status).toBe(200);
      // The segments directory disappears under the running server (a failed disk, an operator's mistake).
      const segments = join(dataDir, 'audit', 'segments');
      renameSync(segments, `${segments}.gone`);
      writeFileSync(segments, 'not a directory');
      let refused: Response | undefined;
      for (let attempt = 0; attempt < 40 && refused === undefined; attempt += 1) {
        const answer = await ask();
        if (answer.status === 503) refused = answer;
      }
      expect(refused?.status).toBe(503);
      const error = ((await refused?.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('audit_unavailable');
      expect(error.message).toContain('ENOTDIR');
      expect(refused?.headers.get('retry-after')).toBe('5');
      rmSync(segments);
      renameSync(`${segments}.gone`, segments);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await ask()).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('nara audit report --cross-border', () => {
  it('lists transfers abroad per tenant and month', async () => {
    const result = await runNara(['audit', 'report', '--cross-border', '--dir', auditDir(), '--json'], { cwd: auditDir() });
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { tenant: string; homeJurisdiction: string; servedIn: string[]; events: number }[];
    expect(rows).toEqual([{ tenant: 'moi', period: new Date().toISOString().slice(0, 7), homeJurisdiction: 'KR', servedIn: ['SG'], backends: ['singapore'], events: 1 }]);
  });
});
