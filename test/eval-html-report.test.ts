/**
 * The offline HTML report of `nara eval`: one self-contained document (no CDN, no external script),
 * every piece of run text escaped, a chart in each chart section, no NaN anywhere, and a misses
 * table that holds every row even before its paging script runs.
 */
import { describe, expect, it } from 'vitest';
import type { GroupScore, TaskSummary } from '../src/eval/summary.js';
import { renderEvalHtml, type EvalHtmlInput } from '../src/eval-run/html-report.js';
import type { RunReport } from '../src/eval-run/report.js';
import type { InstanceRecord } from '../src/eval-run/run-store.js';
import type { PairResult } from '../src/eval-run/runner.js';
import type { TokenTaxReport } from '../src/eval-run/token-tax.js';

const injected = '<script>alert(1)</script>';
const arabic = 'ما هي عاصمة مصر؟ اختر الإجابة الصحيحة';

function group(name: string, instances: number, score: number, normalized = score * 100): GroupScore {
  const spread = Number.isNaN(score) ? Number.NaN : 0.06;
  return { name, instances, score, interval: { low: score - spread, high: score + spread }, normalized };
}

function summary(instances: number, score: number): TaskSummary {
  return {
    instances,
    failed: Number.isNaN(score) ? 40 : 2,
    unreadable: 1,
    micro: group('all', instances, score),
    macro: score,
    bySubject: [group('history', instances, score)],
    byCompetency: instances === 0 ? [] : [group('knowledge', instances / 2, score), group('reasoning', instances / 2, score - 0.1)],
  };
}

function pair(task: string, language: string, endpoint: string, instances: number, score: number): PairResult {
  const latency = instances === 0 ? Number.NaN : 412.4;
  return { task, endpoint, language, summary: summary(instances, score), refused: 3, latencyMs: { p50: latency, p95: latency * 2 }, promptTokens: 1000, completionTokens: 50 };
}

const report: RunReport = {
  pairs: [pair('mmlu-tha', 'tha_Thai', 'alpha', 100, 0.8), pair('mmlu-tha', 'tha_Thai', 'beta', 100, 0.65), pair('arabic-exams', 'arb_Arab', 'alpha', 80, 0.55), pair('arabic-exams', 'arb_Arab', 'beta', 0, Number.NaN)],
  comparisons: [
    { task: 'mmlu-tha', a: 'alpha', b: 'beta', result: { instances: 100, difference: 0.15, interval: { low: 0.05, high: 0.25 }, pValue: 0.002, significant: true } },
    { task: 'arabic-exams', a: 'alpha', b: 'beta', result: { instances: 0, difference: Number.NaN, interval: { low: Number.NaN, high: Number.NaN }, pValue: 1, significant: false } },
  ],
  problems: { 'mmlu-tha': [{ id: 'q-7', line: 7, message: 'no "answer" field <b>' }], 'arabic-exams': [] },
  interrupted: false,
};

const tokenTax: TokenTaxReport = {
  reference: 'eng_Latn',
  sentences: 997,
  tokenizers: ['cl100k_base', 'o200k_base'].map((tokenizer, index) => ({
    tokenizer,
    rows: [
      { language: 'eng_Latn', tokens: 1000, characters: 4000, tokensPerCharacter: 0.25, ratioToReference: 1 },
      { language: 'tha_Thai', tokens: 3000 - index * 800, characters: 3500, tokensPerCharacter: 0.8, ratioToReference: 3 - index * 0.8 },
      { language: 'arb_Arab', tokens: 1900, characters: 3800, tokensPerCharacter: 0.5, ratioToReference: 1.9 },
    ],
  })),
};

function miss(index: number): InstanceRecord {
  const inArabic = index % 2 === 1;
  const prompt = index === 0 ? `Which is right? ${injected} & "quoted" 'text'` : inArabic ? `${arabic} ${'نص '.repeat(80)}` : `Question ${index}: ${'long context '.repeat(20)}`;
  return {
    task: inArabic ? 'arabic-exams' : 'mmlu-tha',
    endpoint: index % 4 < 2 ? 'alpha' : 'beta',
    id: `item-${index}`,
    line: index + 1,
    language: inArabic ? 'arb_Arab' : 'tha_Thai',
    subject: 'history',
    competency: 'knowledge',
    prompt,
    raw: index % 10 === 9 ? null : index === 0 ? `The answer is ${injected}` : 'B',
    picked: index % 10 === 9 ? null : 1,
    answer: 2,
    score: index % 10 === 9 ? null : 0,
    random: 0.25,
    method: index % 5 === 4 ? 'none' : 'letter',
    latencyMs: 200,
    promptTokens: 100,
    completionTokens: 1,
    attempts: 1,
    error: index % 10 === 9 ? 'HTTP 500 after 3 attempts' : index % 10 === 3 ? 'refused:policy' : null,
  };
}

const input: EvalHtmlInput = { title: 'SEA eval <run 1>', generatedAt: '2025-01-02T03:04:05.000Z', report, tokenTax, misses: Array.from({ length: 120 }, (_, index) => miss(index)), manifest: { tasks: ['mmlu-tha'], note: injected } };

function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe('renderEvalHtml', () => {
  const html = renderEvalHtml(input);

  it('is one standalone document that fetches nothing', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(count(html, /<html[\s>]/g)).toBe(1);
    expect(count(html, /<\/html>/g)).toBe(1);
    expect(html).toContain('<html lang="en">');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script[^>]*\bsrc/i);
    expect(html).not.toMatch(/<link\b/i);
    // Only the report's own inline script.
    expect(count(html, /<script>/g)).toBe(1);
  });

  it('escapes every piece of run text', () => {
    expect(html).not.toContain(injected);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&amp; &quot;quoted&quot; &#39;text&#39;');
    expect(html).toContain('SEA eval &lt;run 1&gt;');
    expect(html).toContain('no &quot;answer&quot; field &lt;b&gt;');
  });

  it('marks right-to-left text for the browser', () => {
    expect(html).toContain(arabic);
    expect(html).toMatch(/<td dir="auto" lang="arb-Arab" class="long"><details><summary>ما هي/);
  });

  it('draws a chart in every chart section', () => {
    expect(count(section(html, 'by-language'), /<svg /g)).toBe(2);
    expect(count(section(html, 'by-competency'), /<svg /g)).toBe(2);
    expect(count(section(html, 'comparisons'), /<svg /g)).toBe(1);
    expect(count(section(html, 'token-tax'), /<svg /g)).toBe(1);
  });

  it('shows the numbers, and a dash instead of NaN', () => {
    const summaryTable = section(html, 'summary');
    expect(summaryTable).toContain('80.0 (74.0–86.0)');
    expect(summaryTable).toContain('412');
    expect(summaryTable).toContain('—');
    expect(section(html, 'comparisons')).toContain('+15.0');
    expect(section(html, 'comparisons')).toContain('not significant');
    expect(section(html, 'token-tax')).toContain('3.00×');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('lists every missed instance, with the full prompt behind a details element', () => {
    const misses = section(html, 'misses-section');
    expect(count(misses, /<tr class="miss">/g)).toBe(120);
    expect(misses).toContain('<div class="full">Question 2: long context');
    expect(misses).toContain('HTTP 500 after 3 attempts');
    expect(misses).toContain('refused (policy)');
    expect(misses).toContain('<b>B</b> vs C');
    // Paging controls start hidden, so that without script all rows stay visible.
    expect(misses).toContain('<div id="miss-tools" class="tools" hidden>');
    expect(misses).not.toMatch(/<tr[^>]* hidden/);
  });

  it('lists the skipped records per task', () => {
    const problems = section(html, 'problems');
    expect(problems).toContain('mmlu-tha: 1 record(s) skipped');
    expect(problems).not.toContain('arabic-exams');
  });

  it('renders an empty run with empty-state messages and nothing to chart', () => {
    const empty = renderEvalHtml({ title: 'empty', generatedAt: 'now', report: { pairs: [], comparisons: [], problems: {}, interrupted: true }, misses: [] });
    expect(empty).toContain('No results: this run has no task × endpoint pairs.');
    expect(empty).toContain('No missed instances.');
    expect(empty).toContain('Interrupted');
    expect(empty).not.toContain('<svg');
    expect(empty).not.toContain('<script');
    expect(empty).not.toContain('id="token-tax"');
    expect(empty).not.toMatch(/NaN|undefined/);
  });
});
