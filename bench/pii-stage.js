#!/usr/bin/env node
/**
 * What the gateway's "pii" stage adds to one request with a 2 KB chat prompt (Korean and English,
 * a resident registration number and a phone number in it), per mode: the stage itself (find the
 * entities, decide per back end), the request as the back end gets it (rebuilt and serialised
 * when the mode changes it; under `off` and `detect` the client's bytes go as they are), and the
 * answer's way back (restored, counted or redacted). In-process, one core, medians of several runs.
 * Each request gets a fresh request scope. Format-preserving surrogates are measured twice: for
 * values seen before (a conversation re-sends its history every turn; drawn surrogates are cached
 * per key) and for values seen for the first time (drawn until one validates: the dearest case).
 * Usage: npm run build && node bench/pii-stage.js [--iterations 20000] [--runs 7]
 */
import { Buffer } from 'node:buffer';
import { parseArgs } from 'node:util';
import { filterAnswerBody } from '../dist/gateway/pii/answer-filter.js';
import { applyPiiPolicy } from '../dist/gateway/stages/pii.js';
import { PiiScopes } from '../dist/gateway/pii/pii-scopes.js';
import { mergePiiPolicy } from '../dist/policy/pii-policy.js';
import { defaultPiiPolicy } from '../dist/spec/pii-policy.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' }, runs: { type: 'string', default: '7' } } });
const iterations = Number(values.iterations);
const runs = Number(values.runs);

const paragraph =
  '안녕하세요. 지난달 신청한 주거 지원금 건으로 문의드립니다. 서류는 모두 제출했고 담당 부서에서 검토 중이라고 들었습니다. ' +
  'Could you summarise the eligibility rules for the housing grant and tell me which documents are still missing? ';
let prompt = '';
while (Buffer.byteLength(prompt) < 1900) prompt += paragraph;
prompt += '제 주민등록번호는 800101-1234560이고 휴대폰은 010-2345-6789입니다.';
const body = { model: 'seed', messages: [{ role: 'system', content: 'You are a helpful civil-service assistant.' }, { role: 'user', content: prompt }] };
const answer = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'seed',
  choices: [{ index: 0, message: { role: 'assistant', content: '확인했습니다. 주거 지원금 자격 요건은 다음과 같습니다: 소득 기준, 거주 기간, 무주택 여부. 추가 서류는 주민등록등본입니다. '.repeat(3) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 600, completion_tokens: 120, total_tokens: 720 },
});

const candidate = { id: 'abroad', jurisdiction: 'SG', slot: { config: { piiFloor: 'off' } } };
const scopes = new PiiScopes('bench-secret');
const tenantWith = (mode, surrogates = 'format-preserving') => ({ id: 'moi', homeJurisdiction: 'KR', pii: mergePiiPolicy(defaultPiiPolicy, { mode, surrogates }) });

function oneRequest(tenant, firstSight) {
  // A fresh PiiScopes has an empty surrogate cache: every value is seen for the first time.
  const scopeFor = firstSight ? new PiiScopes('bench-secret').scopeFor : scopes.scopeFor;
  const verdict = applyPiiPolicy(tenant, 'seed', [candidate], body, scopeFor);
  if (!verdict.ok) throw verdict.error;
  const plan = verdict.value.plan;
  if (plan === undefined) return;
  const sent = plan.requestFor(candidate.id, body);
  // A changed request is serialised again for the engine; an unchanged one goes as the client's bytes.
  if (sent !== body) JSON.stringify(sent);
  filterAnswerBody(answer, plan);
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(mode, surrogates, firstSight = false) {
  const tenant = tenantWith(mode, surrogates);
  for (let index = 0; index < 2000; index += 1) oneRequest(tenant, firstSight);
  const perRun = [];
  for (let run = 0; run < runs; run += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index += 1) oneRequest(tenant, firstSight);
    perRun.push(Number(process.hrtime.bigint() - started) / 1000 / iterations);
  }
  return median(perRun);
}

process.stdout.write(`prompt ${Buffer.byteLength(prompt)} bytes UTF-8; ${iterations} requests × ${runs} runs per mode; node ${process.version}\n`);
process.stdout.write('| mode | µs per request (median) | added vs off |\n|---|---|---|\n');
const off = measure('off');
process.stdout.write(`| off | ${off.toFixed(2)} | – |\n`);
const rows = [
  ['detect', 'detect'],
  ['redact', 'redact'],
  ['pseudonymise, surrogates: tokens', 'pseudonymise', 'tokens'],
  ['pseudonymise, format-preserving, values seen before', 'pseudonymise', 'format-preserving'],
  ['pseudonymise, format-preserving, values seen first', 'pseudonymise', 'format-preserving', true],
];
for (const [label, mode, surrogates, firstSight] of rows) {
  const micros = measure(mode, surrogates, firstSight);
  process.stdout.write(`| ${label} | ${micros.toFixed(2)} | ${(micros - off).toFixed(2)} |\n`);
}
