/**
 * The "pii" pipeline stage over real HTTP: a tenant whose policy detects inside its home
 * jurisdiction and pseudonymises abroad, redaction, blocking, back-end floors, failover into a
 * stricter mode, embeddings, token-id prompts, answers restored (streams too, with surrogates split
 * across chunks) and answer entities counted or redacted. Values never reach errors or logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { krResidentNumber } from '../src/pii/check-digits.js';
import { startHarness, type Harness } from './support/nara-harness.js';

/** A pre-2020 resident registration number with a valid check digit. */
const rrn = '800101-1234560';
const phone = '010-2345-6789';
const prompt = `주민등록번호 ${rrn}, 휴대폰 ${phone} 으로 연락 주세요.`;

let seoul: FakeEngine;
let singapore: FakeEngine;
let floorEngine: FakeEngine;
let harness: Harness;
const keys: Record<string, string> = {};

function config(): string {
  return `
routing:
  maxAttempts: 3
  circuitBreaker: { failureThreshold: 100, cooldownMs: 100 }
  healthCheck: { intervalMs: 0 }
backends:
  - id: seoul
    url: ${seoul.url}
    jurisdiction: KR
    models: [seed-kr, seed]
  - id: singapore
    url: ${singapore.url}
    jurisdiction: SG
    models: [seed-sg, seed, embed-sg]
  - id: guarded
    url: ${floorEngine.url}
    jurisdiction: KR
    models: [seed-guarded]
    pii: { mode: pseudonymise }
tenants:
  - id: moi
    jurisdictions: [KR, SG]
    homeJurisdiction: KR
    pii: { mode: detect, outsideHome: pseudonymise }
  - id: tokens
    jurisdictions: [KR, SG]
    homeJurisdiction: KR
    pii: { mode: detect, outsideHome: pseudonymise, surrogates: tokens }
  - id: redactor
    jurisdictions: [KR, SG]
    pii: { mode: redact, entities: [KR_RRN] }
  - id: strict
    jurisdictions: [KR, SG]
    pii: { mode: block }
  - id: relaxed
    jurisdictions: [KR, SG]
  - id: memory
    jurisdictions: [KR, SG]
    pii: { mode: pseudonymise, surrogates: tokens, scope: tenant, scopeTtlSeconds: 600 }
  - id: answers
    jurisdictions: [KR, SG]
    homeJurisdiction: KR
    pii: { mode: detect, outsideHome: pseudonymise, answers: redact }
`;
}

beforeAll(async () => {
  const echo = { pieceLength: 3, append: ' 담당자 연락처 010-9876-5432' };
  [seoul, singapore, floorEngine] = await Promise.all([
    startFakeEngine({ record: true, echo }),
    startFakeEngine({ record: true, echo }),
    startFakeEngine({ record: true, echo }),
  ]);
  harness = await startHarness(config());
  for (const tenant of ['moi', 'tokens', 'redactor', 'strict', 'relaxed', 'memory', 'answers']) keys[tenant] = await harness.createKey(tenant);
});

afterAll(async () => {
  await harness.close();
  await Promise.all([seoul.close(), singapore.close(), floorEngine.close()]);
});

function lastContent(engine: FakeEngine): string {
  const body = engine.requests[engine.requests.length - 1]?.body as { messages?: { content: string }[]; input?: unknown } | undefined;
  if (body?.messages !== undefined) return body.messages[body.messages.length - 1]?.content ?? '';
  return JSON.stringify(body?.input);
}

async function chat(tenant: string, model: string, content = prompt, extra: Record<string, unknown> = {}): Promise<Response> {
  return harness.post('/v1/chat/completions', { model, messages: [{ role: 'user', content }], ...extra }, keys[tenant]);
}

async function answerText(response: Response): Promise<string> {
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? '';
}

/** The text of a streamed chat answer, read from the SSE body. */
async function streamedText(response: Response): Promise<string> {
  const raw = await response.text();
  let text = '';
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const event = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
    text += event.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

describe('pii stage: detect at home, pseudonymise abroad', () => {
  it('sends the originals to a back end in the home jurisdiction and reports the counts', async () => {
    const response = await chat('moi', 'seed-kr');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-pii-action')).toBe('detect');
    expect(response.headers.get('x-nara-pii-entities')).toBe('KR_RRN=1, PHONE=1');
    expect(lastContent(seoul)).toBe(prompt);
    const text = await answerText(response);
    expect(text).toContain(rrn);
    // The model's own phone number in the answer is counted, not changed (answers: detect).
    expect(text).toContain('010-9876-5432');
    expect(response.headers.get('x-nara-pii-answer-entities')).toBe('PHONE=1');
  });

  it('sends valid-looking surrogates abroad and restores the originals in the answer', async () => {
    const response = await chat('moi', 'seed-sg');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-pii-action')).toBe('pseudonymise');
    expect(response.headers.get('x-nara-pii-entities')).toBe('KR_RRN=1, PHONE=1');
    const sent = lastContent(singapore);
    expect(sent).not.toContain(rrn);
    expect(sent).not.toContain(phone);
    const surrogate = /\d{6}-\d{7}/.exec(sent)?.[0] ?? '';
    expect(krResidentNumber(surrogate.replace('-', '')).valid).toBe(true);
    const text = await answerText(response);
    expect(text).toContain(rrn);
    expect(text).toContain(phone);
    expect(text).not.toContain(surrogate);
  });

  it('restores a streamed answer whose surrogates arrive split across chunks', async () => {
    const response = await chat('moi', 'seed-sg', prompt, { stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-pii-action')).toBe('pseudonymise');
    const text = await streamedText(response);
    expect(text).toBe(`${prompt} 담당자 연락처 010-9876-5432`);
    expect(lastContent(singapore)).not.toContain(rrn);
  });

  it('gives the same surrogate to the same value in every request (one key per process)', async () => {
    await chat('moi', 'seed-sg');
    const first = lastContent(singapore);
    await chat('moi', 'seed-sg');
    expect(lastContent(singapore)).toBe(first);
  });

  it('uses opaque tokens when the policy asks for them, and restores them', async () => {
    const response = await chat('tokens', 'seed-sg');
    expect(lastContent(singapore)).toMatch(/⟨KR_RRN_1⟩.*⟨PHONE_1⟩/);
    expect(await answerText(response)).toContain(rrn);
  });

  it('keeps surrogates across requests with scope: tenant', async () => {
    const other = '900202-2345679';
    await chat('memory', 'seed-kr', `첫 번째 ${rrn}`);
    expect(lastContent(seoul)).toBe('첫 번째 ⟨KR_RRN_1⟩');
    const response = await chat('memory', 'seed-kr', `두 번째 ${other}, 그리고 ${rrn}`);
    expect(lastContent(seoul)).toBe('두 번째 ⟨KR_RRN_2⟩, 그리고 ⟨KR_RRN_1⟩');
    expect(await answerText(response)).toContain(`두 번째 ${other}, 그리고 ${rrn}`);
  });

  it('survives a hostile prompt: a lone surrogate, long digit and separator runs', async () => {
    const hostile = `\ud800 ${'1-'.repeat(200_000)} ${'9'.repeat(300_000)} ${rrn} \udfff`;
    const response = await chat('moi', 'seed-sg', hostile);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-pii-entities')).toBe('KR_RRN=1');
    expect(lastContent(singapore)).not.toContain(rrn);
  });

  it('pseudonymises on the fallback attempt when the home back end fails over abroad', async () => {
    seoul.behave('error-500');
    try {
      const before = singapore.requests.length;
      const response = await chat('moi', 'seed');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-nara-backend')).toBe('singapore');
      expect(response.headers.get('x-nara-pii-action')).toBe('pseudonymise');
      expect(singapore.requests.length).toBe(before + 1);
      expect(lastContent(singapore)).not.toContain(rrn);
      expect(await answerText(response)).toContain(rrn);
    } finally {
      seoul.behave('ok');
    }
  });

  it('works through the openai client, streaming', async () => {
    const client = harness.client(keys.moi as string);
    const stream = await client.chat.completions.create({ model: 'seed-sg', messages: [{ role: 'user', content: prompt }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toContain(rrn);
    expect(text).toContain(phone);
  });
});

describe('pii stage: redact, block and back-end floors', () => {
  it('redacts only the listed types', async () => {
    const response = await chat('redactor', 'seed-kr');
    expect(response.headers.get('x-nara-pii-action')).toBe('redact');
    expect(response.headers.get('x-nara-pii-entities')).toBe('KR_RRN=1');
    expect(lastContent(seoul)).toBe(`주민등록번호 [KR_RRN], 휴대폰 ${phone} 으로 연락 주세요.`);
  });

  it('blocks with 400 pii_detected naming the types, never the values, and sends nothing', async () => {
    const before = seoul.requests.length + singapore.requests.length;
    const response = await chat('strict', 'seed');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; type: string } };
    expect(body.error.code).toBe('pii_detected');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('KR_RRN=1');
    expect(body.error.message).toContain('PHONE=1');
    expect(body.error.message).not.toContain(rrn);
    expect(body.error.message).not.toContain('2345');
    expect(seoul.requests.length + singapore.requests.length).toBe(before);
  });

  it('lets a blocking tenant through when the request carries no personal data', async () => {
    const response = await chat('strict', 'seed-kr', '서울의 날씨는 어때요? 2026-11-22, 15:30');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-pii-action')).toBe('block');
    expect(response.headers.get('x-nara-pii-entities')).toBe('none');
  });

  it("raises a tenant's mode to the back end's floor", async () => {
    const response = await chat('relaxed', 'seed-guarded');
    expect(response.headers.get('x-nara-pii-action')).toBe('pseudonymise');
    expect(lastContent(floorEngine)).not.toContain(rrn);
    expect(await answerText(response)).toContain(rrn);
  });

  it('adds no pii headers and scans nothing when the policy is off', async () => {
    const response = await chat('relaxed', 'seed-kr');
    expect(response.headers.get('x-nara-pii-action')).toBeNull();
    expect(lastContent(seoul)).toBe(prompt);
  });
});

describe('pii stage: embeddings, completions, token ids and answers', () => {
  it('pseudonymises embedding input abroad', async () => {
    const response = await harness.post('/v1/embeddings', { model: 'embed-sg', input: [prompt, 'no data here'] }, keys.moi);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-pii-entities')).toBe('KR_RRN=1, PHONE=1');
    const sent = singapore.requests[singapore.requests.length - 1]?.body.input as string[];
    expect(sent[0]).not.toContain(rrn);
    expect(sent[1]).toBe('no data here');
  });

  it('refuses token-id input it would have to change, with 400 pii_input_not_inspectable', async () => {
    const response = await harness.post('/v1/embeddings', { model: 'embed-sg', input: [101, 2023, 102] }, keys.moi);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; param: string } };
    expect(body.error.code).toBe('pii_input_not_inspectable');
    expect(body.error.param).toBe('input');
  });

  it('pseudonymises a completion prompt and restores the answer', async () => {
    const response = await harness.post('/v1/completions', { model: 'seed-sg', prompt }, keys.moi);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { text: string }[] };
    expect(singapore.requests[singapore.requests.length - 1]?.body.prompt).not.toContain(rrn);
    expect(body.choices[0]?.text).toContain(rrn);
  });

  it("redacts personal data the model wrote, but not the request's own values", async () => {
    const response = await chat('answers', 'seed-kr');
    const text = await answerText(response);
    expect(text).toContain(rrn);
    expect(text).toContain(phone);
    expect(text).toContain('담당자 연락처 [PHONE]');
    expect(response.headers.get('x-nara-pii-answer-entities')).toBe('PHONE=1');
  });

  it('redacts in a stream too, holding back only the tail where an entity may grow', async () => {
    const response = await chat('answers', 'seed-sg', prompt, { stream: true });
    const text = await streamedText(response);
    expect(text).toBe(`${prompt} 담당자 연락처 [PHONE]`);
  });

  it('logs and counts the entities by type, and writes no personal value into any log line', async () => {
    const logs = harness.rawLogs();
    const blocked = harness.logs.find((line) => line.code === 'pii_detected');
    expect(blocked?.pii).toEqual({ action: 'none', entities: { KR_RRN: 1, PHONE: 1 }, answerEntities: {} });
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metrics).toMatch(/nara_pii_entities_total\{tenant="strict",type="KR_RRN",where="request",action="block"\} 1/);
    expect(metrics).toMatch(/nara_pii_entities_total\{tenant="moi",type="PHONE",where="answer",action="detect"\} \d+/);
    for (const value of [rrn, phone, '1234560', '2345-6789', '9876-5432']) expect(logs).not.toContain(value);
  });
});
