/**
 * Signed provenance of every completion: the manifest arrives with the answer (JSON member, final
 * stream chunk, header), verifies with the published JWKS, names model, back end, jurisdiction and
 * the audit leaf, digests the text the client got (after NFC), and the verify endpoint answers
 * "produced here, unmodified" or exactly why not.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digitalSourceType } from '../src/audit/provenance.js';
import { openEnvelope } from '../src/audit/provenance-envelope.js';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';

let engine: FakeEngine;
let harness: Harness;
let key: string;
let keys: Map<string, KeyObject>;

beforeAll(async () => {
  engine = await startFakeEngine({ pieces: ['서울', '은 ', '맑', '습니다', '.'] });
  harness = await startHarness(`
audit: { origin: provenance.test/log }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    operator: Ministry of Science and ICT
    models: [seed]
tenants:
  - id: moi
    jurisdictions: [KR]
  - id: marked
    jurisdictions: [KR]
    audit: { embedProvenance: true }
`);
  key = await harness.createKey('moi');
  const jwks = (await (await fetch(`${harness.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; kty: string; crv: string; x: string }[] };
  keys = new Map(jwks.keys.map((jwk) => [jwk.kid, createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' })]));
});

afterAll(async () => {
  await harness.close();
  await engine.close();
});

interface Provenance {
  id: string;
  manifest: string;
}

const sha256 = (text: string) => createHash('sha256').update(text.normalize('NFC')).digest('hex');

describe('provenance of every completion', () => {
  it('comes with a JSON answer, verifies with the published keys, and says what produced it', async () => {
    const response = await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: '날씨?' }] }, key, { 'x-request-id': 'prov-json' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[]; nara: { provenance: Provenance } };
    const provenance = body.nara.provenance;
    expect(response.headers.get('x-nara-provenance')).toBe(provenance.id);
    const opened = openEnvelope(provenance.manifest, keys);
    if (!opened.ok) throw new Error(opened.reason);
    const manifest = opened.manifest;
    expect(manifest).toMatchObject({ id: provenance.id, generator: 'nara/0.1.0', tenant: 'moi', model: 'seed', backend: 'seoul', jurisdiction: 'KR', operator: 'Ministry of Science and ICT', aiGenerated: true });
    expect(manifest.output).toEqual({ alg: 'sha256', normalization: 'NFC', digest: sha256('서울은 맑습니다.'), characters: 9 });
    expect(manifest.assertions[0].data.actions[0]).toMatchObject({ action: 'c2pa.created', digitalSourceType });
    expect(manifest.audit.log).toBe('provenance.test/log');
    // The manifest points at the request's own audit leaf, which names the manifest back.
    expect(typeof manifest.audit.leafIndex).toBe('number');
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const segments = join(harness.dataDir, 'audit', 'segments');
    const lines = readdirSync(segments).sort().flatMap((name) => readFileSync(join(segments, name), 'utf8').split('\n').filter((line) => line !== ''));
    const event = JSON.parse(lines[manifest.audit.leafIndex ?? -1] ?? '{}') as { requestId?: string; provenanceId?: string };
    expect(event).toMatchObject({ requestId: 'prov-json', provenanceId: provenance.id });
    expect(body.choices[0]?.message.content).toBe('서울은 맑습니다.');
  });

  it('comes on the finishing chunk of a stream, over the text the client received', async () => {
    const client = harness.client(key);
    const stream = await client.chat.completions.create({ model: 'seed', stream: true, messages: [{ role: 'user', content: '날씨?' }] });
    let text = '';
    let provenance: Provenance | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      const extra = (chunk as unknown as { nara?: { provenance: Provenance } }).nara;
      if (extra !== undefined) provenance = extra.provenance;
    }
    expect(text).toBe('서울은 맑습니다.');
    if (provenance === undefined) throw new Error('no provenance chunk');
    const opened = openEnvelope(provenance.manifest, keys);
    expect(opened.ok && opened.manifest.output.digest).toBe(sha256(text));
  });

  it('is retrievable by id, and the verify endpoint says produced here — or exactly why not', async () => {
    const response = await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, key);
    const { nara } = (await response.json()) as { nara: { provenance: Provenance } };
    const stored = (await (await fetch(`${harness.url}/v1/provenance/${nara.provenance.id}`)).json()) as Provenance;
    expect(stored.manifest).toBe(nara.provenance.manifest);

    const verify = async (body: unknown) => (await (await fetch(`${harness.url}/v1/provenance/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { verified: boolean; reason?: string; manifest?: { model: string } };
    expect(await verify({ text: '서울은 맑습니다.', manifest: nara.provenance.manifest })).toMatchObject({ verified: true, manifest: { model: 'seed' } });
    // Found by its text alone, and in another Unicode normal form too.
    expect((await verify({ text: '서울은 맑습니다.'.normalize('NFD') })).verified).toBe(true);
    const edited = await verify({ text: '서울은 흐립니다.', manifest: nara.provenance.manifest });
    expect(edited.verified).toBe(false);
    expect(edited.reason).toContain('it was changed');
    expect((await verify({ text: '누가 쓴 글인지 모르는 문장' })).reason).toContain('no output of this Nara');
    const [jws = '', manifest = '', ...rest] = nara.provenance.manifest.split('~');
    const forgedManifest = Buffer.from(Buffer.from(manifest, 'base64url').toString('utf8').replace('"seoul"', '"tokyo"')).toString('base64url');
    expect((await verify({ text: '서울은 맑습니다.', manifest: [jws, forgedManifest, ...rest].join('~') })).reason).toContain('inclusion path does not lead to the signed root');
    const [header = '', payload = '', signature = ''] = jws.split('.');
    const forgedPayload = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace(/"size":\d+/, '"size":7')).toString('base64url');
    expect((await verify({ text: '서울은 맑습니다.', manifest: [`${header}.${forgedPayload}.${signature}`, manifest, ...rest].join('~') })).reason).toContain('signature does not verify');
    expect((await fetch(`${harness.url}/v1/provenance/prov_nothing`)).status).toBe(404);
  });

  it('signs the outputs sealed together in batches, each verifiable on its own', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, async (_, index) => {
        const response = await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: `질문 ${index}` }] }, key);
        return ((await response.json()) as { nara: { provenance: Provenance } }).nara.provenance;
      }),
    );
    const readings = answers.map((provenance) => openEnvelope(provenance.manifest, keys));
    for (const [index, reading] of readings.entries()) {
      if (!reading.ok) throw new Error(reading.reason);
      expect(reading.manifest.id).toBe(answers[index]?.id);
    }
    // Outputs sealed in the same turn share a signature (how many do depends on timing; the batcher's
    // own test pins it down): within a batch each has its own leaf, below the signed size.
    const batches = new Map<string, number[]>();
    for (const provenance of answers) {
      const [jws = '', , index = '', size = ''] = provenance.manifest.split('~');
      expect(Number(index)).toBeLessThan(Number(size));
      batches.set(jws, [...(batches.get(jws) ?? []), Number(index)]);
    }
    for (const indexes of batches.values()) expect(new Set(indexes).size).toBe(indexes.length);
  });

  it('is not promised on an error', async () => {
    const response = await harness.post('/v1/chat/completions', { model: 'missing', messages: [{ role: 'user', content: 'hi' }] }, key);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-nara-provenance')).toBeNull();
  });
});

describe('with audit.provenance: false', () => {
  it('signs nothing and adds nothing to answers', async () => {
    const plain = await startHarness(`
audit: { provenance: false }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [seed]
tenants:
  - id: moi
    jurisdictions: [KR]
`);
    try {
      const response = await plain.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, await plain.createKey('moi'));
      expect(response.headers.get('x-nara-provenance')).toBeNull();
      expect(((await response.json()) as { nara?: unknown }).nara).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('nara provenance verify', () => {
  it('verifies a text offline with the published JWKS, by its manifest or by lookup, and says why not', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runNara } = await import('./support/cli-process.js');
    const response = await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, key);
    const { nara } = (await response.json()) as { nara: { provenance: Provenance } };
    const work = mkdtempSync(join(tmpdir(), 'nara-prov-cli-'));
    writeFileSync(join(work, 'jwks.json'), await (await fetch(`${harness.url}/.well-known/jwks.json`)).text());
    writeFileSync(join(work, 'manifest.jws'), nara.provenance.manifest);
    writeFileSync(join(work, 'answer.txt'), '서울은 맑습니다.');
    writeFileSync(join(work, 'edited.txt'), '서울은 흐립니다.');
    const dir = join(harness.dataDir, 'audit');
    const ok = await runNara(['provenance', 'verify', '--text', 'answer.txt', '--manifest', 'manifest.jws', '--jwks', 'jwks.json'], { cwd: work });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^VERIFIED: prov_\S+, produced by nara\/0\.1\.0 with model seed on back end seoul in KR/);
    const lookedUp = await runNara(['provenance', 'verify', '--text', 'answer.txt', '--dir', dir], { cwd: work });
    expect(lookedUp.code).toBe(0);
    const edited = await runNara(['provenance', 'verify', '--text', 'edited.txt', '--manifest', 'manifest.jws', '--jwks', 'jwks.json', '--json'], { cwd: work });
    expect(edited.code).toBe(1);
    expect(JSON.parse(edited.stdout)).toMatchObject({ verified: false });
    expect((JSON.parse(edited.stdout) as { reason: string }).reason).toContain('it was changed');
    writeFileSync(join(work, 'other-keys.json'), JSON.stringify({ keys: [] }));
    const unknown = await runNara(['provenance', 'verify', '--text', 'answer.txt', '--manifest', 'manifest.jws', '--jwks', 'other-keys.json'], { cwd: work });
    expect(unknown.stdout).toContain('not one of this Nara');
  });
});

describe('invisible provenance reference in the text (tenants who opt in)', () => {
  it('carries the id in the answer, and verification finds the manifest from the text alone', async () => {
    const { extractReference, embeddingOf } = await import('../src/audit/text-embedding.js');
    const marked = await harness.createKey('marked');
    const response = await harness.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content: 'hi' }] }, marked);
    const body = (await response.json()) as { choices: { message: { content: string } }[]; nara: { provenance: Provenance } };
    const content = body.choices[0]?.message.content ?? '';
    expect(content).toBe(`서울은 맑습니다.${embeddingOf(body.nara.provenance.id)}`);
    expect(extractReference(content)).toEqual({ id: body.nara.provenance.id, text: '서울은 맑습니다.' });
    const verify = async (text: string) => (await (await fetch(`${harness.url}/v1/provenance/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) })).json()) as { verified: boolean; id?: string; reason?: string };
    expect(await verify(`복사: ${content}`)).toMatchObject({ verified: false, id: body.nara.provenance.id });
    expect(await verify(content)).toMatchObject({ verified: true, id: body.nara.provenance.id });
    // Pasted into another text, the reference still names the output; the words around it do not match.
    expect((await verify(content.replace('맑', '흐'))).reason).toContain('it was changed');

    const client = harness.client(marked);
    const stream = await client.chat.completions.create({ model: 'seed', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(extractReference(text)?.text).toBe('서울은 맑습니다.');
    expect((await verify(text)).verified).toBe(true);
  });

  it('reads references back exactly and never throws on odd input', async () => {
    const { extractReference, embeddingOf } = await import('../src/audit/text-embedding.js');
    const mark = embeddingOf('prov_abc-1');
    expect(extractReference(`a${mark}b`)).toEqual({ id: 'prov_abc-1', text: 'ab' });
    expect(extractReference('plain text')).toBeUndefined();
    expect(extractReference(mark.slice(0, 8))).toBeUndefined();
    expect(extractReference('\ufe0e\ufe0f emoji variation selectors 👍🏽\ufe0f')).toBeUndefined();
    expect(() => embeddingOf('has space')).toThrow(RangeError);
  });
});


describe('did our AI write this? (detection)', () => {
  it('finds an output from a lightly edited copy, by the API and the CLI, and nothing for unrelated text', async () => {
    const echo = await startFakeEngine({ echo: { pieceLength: 5 } });
    const detecting = await startHarness(`
backends:
  - id: seoul
    url: ${echo.url}
    jurisdiction: KR
    models: [seed]
tenants:
  - id: moi
    jurisdictions: [KR]
`);
    try {
      const tenantKey = await detecting.createKey('moi');
      const first = '서울시는 내년부터 모든 공공 도서관의 운영 시간을 밤 열 시까지 늘리고 주말에도 문을 열기로 했다. 시민들의 이용이 크게 늘어난 데 따른 조치라고 시는 설명했다.';
      const second = 'The ministry announced that rural clinics will receive new diagnostic equipment next spring, and that nurses in remote districts will be trained to use it during the winter.';
      const ids: string[] = [];
      for (const content of [first, second]) {
        const answer = (await (await detecting.post('/v1/chat/completions', { model: 'seed', messages: [{ role: 'user', content }] }, tenantKey)).json()) as { nara: { provenance: Provenance } };
        ids.push(answer.nara.provenance.id);
      }
      const detect = async (text: string) => (await (await fetch(`${detecting.url}/v1/provenance/detect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) })).json()) as { matches: { id: string; similarity: number; model: string }[] };
      const edited = second.replace('new diagnostic', 'modern diagnostic').replace('next spring', 'in the spring');
      const found = await detect(edited);
      expect(found.matches[0]).toMatchObject({ id: ids[1], model: 'seed' });
      expect(found.matches[0]?.similarity).toBeGreaterThan(0.3);
      expect(found.matches[0]?.similarity).toBeLessThan(1);
      expect((await detect(first.replace('열 시', '아홉 시'))).matches[0]?.id).toBe(ids[0]);
      expect((await detect('A completely different text about football results and the weather in Jakarta this weekend.')).matches).toEqual([]);

      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const { runNara } = await import('./support/cli-process.js');
      const work = mkdtempSync(join(tmpdir(), 'nara-detect-cli-'));
      writeFileSync(join(work, 'copy.txt'), edited);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the index line is written on the next turn of the loop
      const cli = await runNara(['provenance', 'detect', 'copy.txt', '--dir', join(detecting.dataDir, 'audit')], { cwd: work });
      expect(cli.code).toBe(0);
      expect(cli.stdout).toContain(ids[1] ?? 'missing');
    } finally {
      await detecting.close();
      await echo.close();
    }
  });
});
