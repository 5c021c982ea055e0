/**
 * PII policy as operators write it: the mode rules (home vs abroad, back-end floors, strictness),
 * nara.yaml validation with messages that say where and how to fix, tenants created through the
 * admin API and the CLI with a policy that takes effect at once, and the answer filter's handling
 * of tool calls and of streams that end without finishing a choice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../src/config/load.js';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { mergePiiPolicy, piiModeFor, stricterMode } from '../src/policy/pii-policy.js';
import { defaultPiiPolicy } from '../src/spec/pii-policy.js';
import { PseudonymScope } from '../src/pii/operations.js';
import { PiiPlan } from '../src/gateway/pii/pii-plan.js';
import { StreamAnswerFilter, filterAnswerBody } from '../src/gateway/pii/answer-filter.js';
import { scan } from '../src/pii/scanner.js';
import { mapRequestTexts, requestTexts } from '../src/gateway/pii/request-texts.js';
import { piiTightened } from '../src/gateway/stages/pii.js';
import type { Candidate } from '../src/gateway/routing-table.js';
import type { TenantConfig } from '../src/config/types.js';
import type { PiiPolicy } from '../src/spec/pii-policy.js';
import { startHarness, type Harness } from './support/nara-harness.js';
import { killAllNara, makeTempDir, removeDir, runNara } from './support/cli-process.js';

const rrn = '800101-1234560';

describe('mode rules', () => {
  const policy = mergePiiPolicy(defaultPiiPolicy, { mode: 'detect', outsideHome: 'pseudonymise' });

  it('detects at home and pseudonymises abroad', () => {
    expect(piiModeFor(policy, 'KR', 'KR', 'off')).toBe('detect');
    expect(piiModeFor(policy, 'KR', 'SG', 'off')).toBe('pseudonymise');
  });

  it('treats every back end as abroad for a tenant without a home', () => {
    expect(piiModeFor(policy, undefined, 'KR', 'off')).toBe('pseudonymise');
  });

  it("lets the stricter of the tenant's mode and the back end's floor win", () => {
    expect(piiModeFor(policy, 'KR', 'KR', 'redact')).toBe('redact');
    expect(piiModeFor(policy, 'KR', 'SG', 'detect')).toBe('pseudonymise');
    expect(stricterMode('block', 'redact')).toBe('block');
    expect(stricterMode('off', 'detect')).toBe('detect');
  });

  it('merges a tenant policy over the defaults field by field', () => {
    const merged = mergePiiPolicy(mergePiiPolicy(defaultPiiPolicy, { mode: 'detect', answers: 'redact' }), { entities: ['KR_RRN'], scopeTtlSeconds: 60 });
    expect(merged.mode).toBe('detect');
    expect(merged.answers).toBe('redact');
    expect([...(merged.entities ?? [])]).toEqual(['KR_RRN']);
    expect(merged.scopeTtlMs).toBe(60_000);
  });
});

describe('nara.yaml', () => {
  const base = `backends:
  - id: seoul
    url: http://127.0.0.1:9/v1
    jurisdiction: KR
    models: [m]
`;

  it('refuses an unknown entity type and an unknown mode, naming the field', () => {
    const result = loadConfigText('nara.yaml', `${base}tenants:\n  - id: t\n    jurisdictions: [KR]\n    pii: { mode: hide, entities: [KR_SSN] }\n`);
    expect(result.config).toBeUndefined();
    const paths = result.errors.map((problem) => problem.path);
    expect(paths).toContain('tenants[0].pii.mode');
    expect(paths).toContain('tenants[0].pii.entities[0]');
    expect(result.errors.find((problem) => problem.path === 'tenants[0].pii.mode')?.where).toMatch(/^nara\.yaml:\d+:\d+$/);
  });

  it('warns when outsideHome is set for a tenant without a home jurisdiction', () => {
    const result = loadConfigText('nara.yaml', `${base}pii: { mode: detect, outsideHome: pseudonymise }\ntenants:\n  - id: t\n    jurisdictions: [KR]\n`);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((problem) => problem.message).join('\n')).toContain('applies to every back end of tenant "t"');
  });

  it('requires the variable named by pii.secretEnv', () => {
    const text = `${base}pii: { secretEnv: NARA_PII_KEY }\ntenants:\n  - id: t\n    jurisdictions: [KR]\n`;
    expect(loadConfigText('nara.yaml', text, { env: {} }).errors[0]?.path).toBe('pii.secretEnv');
    const ok = loadConfigText('nara.yaml', text, { env: { NARA_PII_KEY: 'k'.repeat(32) } });
    expect(ok.config?.pii.secret).toBe('k'.repeat(32));
  });

  it('gives tenants the top-level defaults and back ends their floor', () => {
    const text = base.replace('models: [m]', 'models: [m]\n    pii: { mode: redact }') + `pii: { mode: detect, answers: off }\ntenants:\n  - id: t\n    jurisdictions: [KR]\n    pii: { answers: redact }\n  - id: u\n    jurisdictions: [KR]\n`;
    const { config } = loadConfigText('nara.yaml', text);
    expect(config?.backends[0]?.piiFloor).toBe('redact');
    expect(config?.tenants[0]?.pii).toMatchObject({ mode: 'detect', answers: 'redact' });
    expect(config?.tenants[1]?.pii).toMatchObject({ mode: 'detect', answers: 'off' });
  });
});

describe('tenants created through the admin API and the CLI', () => {
  let engine: FakeEngine;
  let harness: Harness;
  const adminToken = 'admin-token-for-pii-tests-0123456789';

  beforeAll(async () => {
    engine = await startFakeEngine({ record: true, echo: { pieceLength: 4 } });
    harness = await startHarness(`backends:\n  - id: seoul\n    url: ${engine.url}\n    jurisdiction: KR\n    models: [m]\n`, { adminToken });
  });

  afterAll(async () => {
    await harness.close();
    await engine.close();
  });

  const admin = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${harness.url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('applies a policy set through the admin API, and a change to it, at once', async () => {
    const created = await admin('POST', '/tenants', { id: 'agency', jurisdictions: ['KR'], pii: { mode: 'block' } });
    expect(created.status).toBe(201);
    expect(created.body.pii).toEqual({ mode: 'block' });
    const key = (await admin('POST', '/tenants/agency/keys', {})).body.key as string;
    const ask = () => harness.post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: `RRN ${rrn}` }] }, key);
    expect((await ask()).status).toBe(400);

    const patched = await admin('PATCH', '/tenants/agency', { pii: { mode: 'redact' } });
    expect(patched.status).toBe(200);
    const response = await ask();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-pii-action')).toBe('redact');
    expect(JSON.stringify(engine.requests[engine.requests.length - 1]?.body)).toContain('RRN [KR_RRN]');
  });

  it('gives tenants created through the admin API the top-level defaults in force after a reload', async () => {
    expect((await admin('POST', '/tenants', { id: 'plain', jurisdictions: ['KR'] })).status).toBe(201);
    const key = (await admin('POST', '/tenants/plain/keys', {})).body.key as string;
    const ask = () => harness.post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: `RRN ${rrn}` }] }, key);
    expect((await ask()).headers.get('x-nara-pii-action')).toBeNull();
    await harness.reload(`pii: { mode: detect }\nbackends:\n  - id: seoul\n    url: ${engine.url}\n    jurisdiction: KR\n    models: [m]\n`);
    const after = await ask();
    expect(after.headers.get('x-nara-pii-action')).toBe('detect');
    expect(after.headers.get('x-nara-pii-entities')).toBe('KR_RRN=1');
  });

  it('refuses a bad policy with invalid_request naming the field', async () => {
    const refused = await admin('POST', '/tenants', { id: 'bad', jurisdictions: ['KR'], pii: { mode: 'shred' } });
    expect(refused.status).toBe(400);
    expect((refused.body.error as { param: string }).param).toBe('pii.mode');
  });
});

describe('nara tenants --pii-mode', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = makeTempDir();
    writeFileSync(join(cwd, 'nara.yaml'), 'backends:\n  - id: seoul\n    url: http://127.0.0.1:9/v1\n    jurisdiction: KR\n    models: [m]\n');
  });
  afterAll(() => {
    killAllNara();
    removeDir(cwd);
  });

  it('creates and updates a tenant policy field by field', async () => {
    const created = await runNara(['tenants', 'create', '--id', 'moi', '--jurisdictions', 'KR,SG', '--home', 'KR', '--pii-mode', 'detect', '--pii-outside-home', 'pseudonymise'], { cwd });
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).pii).toEqual({ mode: 'detect', outsideHome: 'pseudonymise' });
    const updated = await runNara(['tenants', 'update', 'moi', '--pii-mode', 'redact'], { cwd });
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout).pii).toEqual({ mode: 'redact', outsideHome: 'pseudonymise' });
    const refused = await runNara(['tenants', 'update', 'moi', '--pii-mode', 'shred'], { cwd });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--pii-mode');
  });
});

describe('answer filter', () => {
  function planFor(text: string, answers: 'detect' | 'redact' | 'off' = 'detect'): { plan: PiiPlan; sent: string } {
    const policy = mergePiiPolicy(defaultPiiPolicy, { mode: 'pseudonymise', answers });
    const entities = [scan(text)];
    const scope = new PseudonymScope({ secret: 'test' });
    const plan = new PiiPlan({ policy, texts: [text], entities, tokenInput: false, modes: new Map([['b', 'pseudonymise']]), scope: () => scope });
    const request = plan.requestFor('b', { model: 'm', messages: [{ role: 'user', content: text }] });
    return { plan, sent: (request.messages as { content: string }[])[0]?.content ?? '' };
  }

  it('restores surrogates in tool call arguments of a whole answer', () => {
    const { plan, sent } = planFor(`look up ${rrn}`);
    const surrogate = sent.replace('look up ', '');
    const body = JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'find', arguments: `{"rrn":"${surrogate}"}` } }] } }] });
    expect(filterAnswerBody(body, plan)).toContain(`{\\"rrn\\":\\"${rrn}\\"}`);
  });

  it('restores streamed tool call arguments split across chunks, and lets held text out when a stream ends unfinished', () => {
    const { plan, sent } = planFor(`look up ${rrn}`);
    const surrogate = sent.replace('look up ', '');
    const filter = new StreamAnswerFilter(plan, 'chat');
    const chunk = (delta: unknown, finish: string | null = null) => ({ data: JSON.stringify({ id: 'x', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }) });
    const args = `{"rrn":"${surrogate}"}`;
    let restoredArgs = '';
    let content = '';
    const read = (data: string) => {
      const choice = (JSON.parse(data) as { choices: { delta?: { content?: string; tool_calls?: { function: { arguments: string } }[] } }[] }).choices[0];
      content += choice?.delta?.content ?? '';
      for (const call of choice?.delta?.tool_calls ?? []) restoredArgs += call.function.arguments;
    };
    for (let index = 0; index < args.length; index += 5) read(filter.transform(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(index, index + 5) } }] })).data);
    read(filter.transform(chunk({}, 'tool_calls')).data);
    expect(restoredArgs).toBe(`{"rrn":"${rrn}"}`);

    // A stream cut before its finishing chunk: the last characters held back still come out.
    const second = new StreamAnswerFilter(plan, 'chat');
    const text = `번호는 ${surrogate}`;
    for (const piece of [text.slice(0, 8), text.slice(8)]) read(second.transform(chunk({ content: piece })).data);
    const drained = second.drain();
    if (drained !== undefined) read(drained.data);
    expect(content).toBe(`번호는 ${rrn}`);
  });
});

describe('what the stage reads and writes', () => {
  it('reads every text a client writes in chat history, and skips images and structure', () => {
    const request = {
      model: 'm',
      user: 'kim@example.kr',
      prediction: { type: 'content', content: `예상 ${rrn}` },
      documents: [{ title: 'memo', text: '연락처 010-2345-6789' }],
      messages: [
        { role: 'user', name: 'alice', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,ODAwMTAxLTEyMzQ1NjA=' } }] },
        { role: 'assistant', content: null, refusal: 'r', reasoning_content: 'why', function_call: { name: 'f', arguments: '{"x":"b"}' }, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'find', arguments: { rrn: 'c' } } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'd' },
      ],
    };
    expect(requestTexts(request).texts).toEqual(['a', 'r', 'why', '{"x":"b"}', 'c', 'd', 'kim@example.kr', `예상 ${rrn}`, 'memo', '연락처 010-2345-6789']);
    const upper = mapRequestTexts(request, (text) => text.toUpperCase());
    expect(JSON.stringify(upper)).toContain('"arguments":{"rrn":"C"}');
    expect(JSON.stringify(upper)).toContain('"name":"alice"');
    expect(JSON.stringify(upper)).toContain('base64,ODAwMTAxLTEyMzQ1NjA=');
    expect(mapRequestTexts(request, (text) => text)).toBe(request);
  });

  it('never sends the raw bytes under a mode that checks them, even when nothing was found', () => {
    const policy = mergePiiPolicy(defaultPiiPolicy, { mode: 'pseudonymise' });
    const request = { model: 'm', messages: [{ role: 'user', content: 'nothing personal' }] };
    const plan = new PiiPlan({ policy, texts: ['nothing personal'], entities: [[]], tokenInput: false, modes: new Map([['b', 'pseudonymise'], ['d', 'detect']]), scope: () => new PseudonymScope() });
    expect(plan.requestFor('b', request)).not.toBe(request);
    expect(plan.requestFor('b', request)).toEqual(request);
    expect(plan.requestFor('d', request)).toBe(request);
  });

  it('tells the router when a reload tightened the policy for a candidate it is about to try', () => {
    const candidate = { id: 'sg', jurisdiction: 'SG', slot: { config: { piiFloor: 'off' } } } as unknown as Candidate;
    const tenant = (pii: PiiPolicy) => ({ id: 't', homeJurisdiction: 'KR', pii }) as unknown as TenantConfig;
    const detect = mergePiiPolicy(defaultPiiPolicy, { mode: 'detect' });
    const plan = new PiiPlan({ policy: detect, texts: [], entities: [], tokenInput: false, modes: new Map([['sg', 'detect']]), scope: () => new PseudonymScope() });
    expect(piiTightened(plan, tenant(detect), candidate)).toBe(false);
    expect(piiTightened(plan, tenant(mergePiiPolicy(detect, { outsideHome: 'pseudonymise' })), candidate)).toBe(true);
    expect(piiTightened(undefined, tenant(detect), candidate)).toBe(true);
    expect(piiTightened(undefined, tenant(defaultPiiPolicy), candidate)).toBe(false);
  });
});

describe('answer fields', () => {
  function pseudonymised(answers: 'detect' | 'redact'): { plan: PiiPlan; surrogate: string } {
    const policy = mergePiiPolicy(defaultPiiPolicy, { mode: 'pseudonymise', answers });
    const text = `번호 ${rrn}`;
    const scope = new PseudonymScope({ secret: 'test' });
    const plan = new PiiPlan({ policy, texts: [text], entities: [scan(text)], tokenInput: false, modes: new Map([['b', 'pseudonymise']]), scope: () => scope });
    const sent = plan.requestFor('b', { model: 'm', messages: [{ role: 'user', content: text }] });
    return { plan, surrogate: ((sent.messages as { content: string }[])[0]?.content ?? '').replace('번호 ', '') };
  }

  it('restores reasoning and legacy function-call arguments, and drops log-probabilities under answers: redact', () => {
    const { plan, surrogate } = pseudonymised('redact');
    const body = JSON.stringify({
      choices: [{ index: 0, logprobs: { content: [{ token: 'kim@example.kr', logprob: -0.1 }] }, message: { role: 'assistant', content: 'ok', reasoning_content: `think ${surrogate} mail kim@example.kr`, function_call: { name: 'f', arguments: surrogate } } }],
    });
    const filtered = JSON.parse(filterAnswerBody(body, plan)) as { choices: { logprobs: unknown; message: { reasoning_content: string; function_call: { arguments: string } } }[] };
    expect(filtered.choices[0]?.message.reasoning_content).toBe(`think ${rrn} mail [EMAIL]`);
    expect(filtered.choices[0]?.message.function_call.arguments).toBe(rrn);
    expect(filtered.choices[0]?.logprobs).toBeNull();
  });

  it("lets held text out into a chat finishing chunk that has no delta, as content, and drops the template's usage", () => {
    const { plan, surrogate } = pseudonymised('detect');
    const filter = new StreamAnswerFilter(plan, 'chat');
    const head = surrogate.slice(0, 9);
    const first = JSON.parse(filter.transform({ data: JSON.stringify({ id: 'x', usage: { prompt_tokens: 1 }, choices: [{ index: 0, delta: { content: `값 ${head}` }, finish_reason: null }] }) }).data) as { choices: { delta: { content: string } }[] };
    const last = JSON.parse(filter.transform({ data: JSON.stringify({ id: 'x', choices: [{ index: 0, finish_reason: 'stop' }] }) }).data) as { choices: { delta?: { content?: string }; text?: string }[] };
    expect(`${first.choices[0]?.delta.content ?? ''}${last.choices[0]?.delta?.content ?? ''}`).toBe(`값 ${head}`);
    expect(last.choices[0]?.text).toBeUndefined();
    const cut = new StreamAnswerFilter(plan, 'chat');
    cut.transform({ data: JSON.stringify({ id: 'x', usage: { prompt_tokens: 1 }, choices: [{ index: 0, delta: { content: head }, finish_reason: null }] }) });
    expect(cut.drain()?.data).not.toContain('usage');
  });
});
