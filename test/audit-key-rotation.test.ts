/**
 * Rotating the audit key: `nara audit rotate-key` (Nara stopped) retires the generated key — its
 * public half kept — and makes a new one. Outputs signed before still verify, by the API and the
 * CLI; the JWKS serves both keys; `nara audit verify` accepts the old checkpoints and the new;
 * a running Nara's lock and a configured key file are refused with instructions.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { makeTempDir, runNara } from './support/cli-process.js';
import { startHarness } from './support/nara-harness.js';

let engine: FakeEngine;
const dataDir = makeTempDir('nara-rotate-');
const yaml = () => `
audit: { origin: rotation.test/log }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [seed]
tenants:
  - id: moi
    jurisdictions: [KR]
`;

beforeAll(async () => {
  engine = await startFakeEngine({ pieces: ['서울', '은 ', '맑습니다.'] });
});
afterAll(async () => {
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  nara: { provenance: { id: string; manifest: string } };
}

describe('nara audit rotate-key', () => {
  it('keeps what the old key signed verifiable, and signs with the new one from then on', async () => {
    const first = await startHarness(yaml(), { dataDir });
    const key = await first.createKey('moi');
    const before = (await (await first.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, key)).json()) as Answer;
    const oldJwks = (await (await fetch(`${first.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    // A running Nara holds the lock: rotation is refused, and says why.
    const refused = await runNara(['audit', 'rotate-key', '--data-dir', dataDir], { cwd: dataDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('stop Nara before rotating its key');
    await first.close({ keepDataDir: true });

    const rotated = await runNara(['audit', 'rotate-key', '--data-dir', dataDir, '--origin', 'rotation.test/log', '--json'], { cwd: dataDir });
    expect(rotated.code).toBe(0);
    const result = JSON.parse(rotated.stdout) as { retired: string; oldVerifierKey: string; newVerifierKey: string };
    expect(result.newVerifierKey).not.toBe(result.oldVerifierKey);
    expect(readFileSync(result.retired, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(statSync(join(dataDir, 'audit', 'signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dataDir, 'audit')).filter((name) => name.startsWith('signing-key'))).toEqual(['signing-key.pem']);

    const second = await startHarness(yaml(), { dataDir });
    try {
      const jwks = (await (await fetch(`${second.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((entry) => entry.kid)).toEqual(expect.arrayContaining(oldJwks.keys.map((entry) => entry.kid)));
      expect(jwks.keys).toHaveLength(2);
      const verify = async (body: unknown) => (await (await fetch(`${second.url}/v1/provenance/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { verified: boolean; reason?: string };
      expect(await verify({ text: '서울은 맑습니다.', manifest: before.nara.provenance.manifest })).toMatchObject({ verified: true });
      const after = (await (await second.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, key)).json()) as Answer;
      expect(after.nara.provenance.manifest.split('~')[0]).not.toBe(before.nara.provenance.manifest.split('~')[0]);
      expect(await verify({ text: '서울은 맑습니다.', manifest: after.nara.provenance.manifest })).toMatchObject({ verified: true });
      const published = await (await fetch(`${second.url}/audit/v1/key`)).text();
      expect(published.trim()).toBe(result.newVerifierKey);
    } finally {
      await second.close({ keepDataDir: true });
    }

    // Checkpoints from before (old key) and after (new key) all verify with the keys beside the log...
    const verified = await runNara(['audit', 'verify', '--data-dir', dataDir, '--origin', 'rotation.test/log', '--json'], { cwd: dataDir });
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
    expect((JSON.parse(verified.stdout) as { checkpoints: number }).checkpoints).toBeGreaterThanOrEqual(2);
    // ...and for an independent auditor, with both published verifier keys; the new one alone is not enough.
    const both = await runNara(['audit', 'verify', '--data-dir', dataDir, '--origin', 'rotation.test/log', '--key', result.oldVerifierKey, '--key', result.newVerifierKey], { cwd: dataDir });
    expect(both.code).toBe(0);
    const onlyNew = await runNara(['audit', 'verify', '--data-dir', dataDir, '--origin', 'rotation.test/log', '--key', result.newVerifierKey], { cwd: dataDir });
    expect(onlyNew.code).toBe(1);
    expect(onlyNew.stdout).toContain('no signature from a known key');
  });

  it('leaves a configured key file to the operator, saying how', async () => {
    const dir = makeTempDir('nara-rotate-file-');
    try {
      const config = join(dir, 'nara.yaml');
      writeFileSync(config, `dataDir: ${JSON.stringify(dir)}\naudit: { signingKeyFile: ${JSON.stringify(join(dir, 'ops-key.pem'))} }\nbackends: [{ id: seoul, url: 'http://127.0.0.1:9/v1', jurisdiction: KR, models: [seed] }]\n`);
      mkdirSync(join(dir, 'audit'), { recursive: true });
      const refused = await runNara(['audit', 'rotate-key', '--config', config], { cwd: dir });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('retired-keys');
      expect(existsSync(join(dir, 'audit', 'retired-keys'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
