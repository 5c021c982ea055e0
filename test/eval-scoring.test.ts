/**
 * The pure parts of `nara eval`: reading a choice from answers written in seven languages, prompt
 * templates, generation metrics and the statistics — each with exact expected values.
 */
import { describe, expect, it } from 'vitest';
import { canonicalNumber, extractChoice, labelIndex } from '../src/eval/extract.js';
import { likelihoodContext, type Instance } from '../src/eval/instances.js';
import { chrF, exactMatch } from '../src/eval/metrics.js';
import { isRefusal, refusalScore } from '../src/eval/refusal.js';
import { choiceLength, likeliestChoice, readJudgeScore } from '../src/eval/scoring.js';
import { checkResume, type ManifestEndpoint, type ManifestTask } from '../src/eval-run/manifest.js';
import { bootstrapInterval, normalizedScore, pairedComparison } from '../src/eval/statistics.js';
import { summarize } from '../src/eval/summary.js';
import { compileTemplate, TemplateError } from '../src/eval/template.js';

const choices = ['서울', '부산', '대구', '인천'];

describe('answer extraction', () => {
  const cases: [string, number | undefined, string][] = [
    ['정답: B', 1, 'marker'],
    ['정답은 3번입니다.', 2, 'marker'],
    ['정답은 B입니다', 1, 'marker'],
    ['B번', 1, 'line'],
    ['A common mistake is to pick 부산, but it is 서울.', undefined, 'ambiguous'],
    ['คำตอบ: ค', 2, 'marker'],
    ['คำตอบคือ ข้อ ๔', 3, 'marker'],
    ['Jawaban: (C)', 2, 'marker'],
    ['Đáp án đúng là A', 0, 'marker'],
    ['Sagot: D', 3, 'marker'],
    ['الإجابة: ب', 1, 'marker'],
    ['الإجابة: ٣', 2, 'marker'],
    ['The answer is (d).', 3, 'marker'],
    ['Ｃ', 2, 'line'],
    ['B) 부산', 1, 'line'],
    ['부산입니다', 1, 'text'],
    ['모르겠어요', undefined, 'none'],
    ['부산', 1, 'text'],
    ['I think it is 대구, the third city.', 2, 'text'],
    ['Answer: A. No wait, Answer: C', undefined, 'ambiguous'],
    ['', undefined, 'none'],
    ['정답: F', undefined, 'none'],
  ];
  for (const [answer, choice, method] of cases) {
    it(`${JSON.stringify(answer)} → ${choice} (${method})`, () => {
      expect(extractChoice(answer, { choices })).toEqual({ choice, method });
    });
  }

  it('reads answers with long runs of spaces and markdown without slowing down', () => {
    expect(extractChoice(`답${' '.repeat(5000)},`, { choices }).method).toBe('none');
    expect(extractChoice(`answer${' '.repeat(5000)})`, { choices }).method).toBe('none');
    expect(extractChoice('**Answer:** **C**', { choices })).toEqual({ choice: 2, method: 'marker' });
  });

  it('reads numbers in any script, with their sign, as one canonical form', () => {
    expect(['15', '١٥', '๑๕', '15.0', '+15', '１５'].map(canonicalNumber)).toEqual(['15', '15', '15', '15', '15', '15']);
    expect(['-5', '−5', '-٥'].map(canonicalNumber)).toEqual(['-5', '-5', '-5']);
    expect([canonicalNumber('1,000'), canonicalNumber('3,5'), canonicalNumber('B'), canonicalNumber('15 cm')]).toEqual(['1000', '3.5', undefined, undefined]);
  });

  it('reads numbered labels as numbers and letters only where letters label the choices', () => {
    expect(labelIndex('2', 4, 'numbers')).toBe(1);
    expect(labelIndex('B', 4, 'numbers')).toBeUndefined();
    expect(labelIndex('5', 4)).toBeUndefined();
  });
});

describe('log-likelihood', () => {
  it('normalises by characters (code points, as Python counts them) for acc_norm and by UTF-8 bytes for acc_bytes', () => {
    expect([choiceLength('🙂ab', 'accuracy'), choiceLength('🙂ab', 'acc_norm'), choiceLength('🙂ab', 'acc_bytes')]).toEqual([1, 3, 6]);
    expect(choiceLength('서울', 'acc_bytes')).toBe(6);
    const choices = ['ab', '서울', 'abcdefgh', '가나다라마바사아'];
    const logprobs = [-3, -2.8, -6, -7];
    expect([likeliestChoice(choices, logprobs, 'accuracy'), likeliestChoice(choices, logprobs, 'acc_norm'), likeliestChoice(choices, logprobs, 'acc_bytes')]).toEqual([1, 2, 3]);
    // A tie goes to the first choice, as numpy's argmax.
    expect(likeliestChoice(['a', 'b'], [-1, -1])).toBe(0);
  });

  it('lays out the context as the harness does: examples as question, space, answer', () => {
    const instance: Instance = {
      id: '1',
      line: 1,
      choices: [],
      answer: undefined,
      references: [],
      subject: 'all',
      competency: 'all',
      messages: [
        { role: 'system', content: 'Pick one.' },
        { role: 'user', content: 'Q: 1+1?\nA:' },
        { role: 'assistant', content: '2' },
        { role: 'user', content: 'Q: 2+2?\nA:' },
      ],
    };
    expect(likelihoodContext(instance)).toBe('Pick one.\n\nQ: 1+1?\nA: 2\n\nQ: 2+2?\nA:');
  });
});

describe('resuming', () => {
  const definition = { language: 'en', output: 'multiple_choice', system: null, prompt: '{{ q }}', choices: '{{ c }}', target: '{{ a }}', target_base: 0, labels: 'letters', subject: null, competency: null, metrics: ['accuracy'], regex: null, few_shot: { count: 0, seed: 1234 }, generation: { max_tokens: 8, temperature: 0, seed: null }, judge: null, dataset: { format: 'jsonl', records: null, id: null } };
  const task: ManifestTask = { id: 't', version: '1', file: 't.yaml', dataset: 'd.jsonl', datasetSha256: 'a'.repeat(64), output: 'multiple_choice', language: 'en', metrics: ['accuracy'], generation: { maxTokens: 8, temperature: 0, seed: undefined }, fewShot: { count: 0, seed: 1234 }, definition };
  const endpoint: ManifestEndpoint = { name: 'm', url: 'http://a/v1', model: 'x', key: null, concurrency: 8, rps: null, timeoutMs: 60000, retries: 3, via: false };
  const manifest = { tasks: [task], endpoints: [endpoint], judge: null };

  it('allows speed settings to change, and names every change to what is asked or who answers', () => {
    expect(checkResume(manifest, [task], [{ ...endpoint, concurrency: 2, rps: 5, timeoutMs: 1000, retries: 0 }], null)).toEqual({ conflicts: [], warnings: [] });
    const changed = checkResume(manifest, [{ ...task, version: '2', datasetSha256: 'b'.repeat(64), definition: { ...definition, system: 'Be brief.', target_base: 1 } }], [{ ...endpoint, url: 'http://b/v1', via: true }], null);
    expect(changed.conflicts).toEqual([
      'task t changed since this run started: version "1" → "2"; data aaaaaaaaaaaa… → bbbbbbbbbbbb…; system null → "Be brief."; target_base 0 → 1',
      'endpoint m changed since this run started: url "http://a/v1" → "http://b/v1"; via false → true',
    ]);
  });

  it('checks what an older manifest recorded and says what it could not', () => {
    const old = { tasks: [{ id: 't', version: '1', datasetSha256: 'a'.repeat(64) }], endpoints: [endpoint] };
    expect(checkResume(old, [task], [endpoint], null)).toEqual({ conflicts: [], warnings: [expect.stringMatching(/predates recorded task definitions/)] });
    expect(checkResume(old, [{ ...task, version: '2' }], [endpoint], null).conflicts).toHaveLength(1);
  });
});

describe('templates', () => {
  const record = { question: '  수도는?  ', choices: ['A1', 'B1'], answer: 1, meta: { subject: 'geo' } };
  it('renders fields, indexes, lookups, filters and .strip()', () => {
    expect(compileTemplate('{{ question | trim }} {{choices[0]}}/{{ choices[answer] }} {{meta.subject|upper}} {{question.strip()}}').render(record)).toBe('수도는? A1/B1 GEO 수도는?');
    expect(compileTemplate('{{ question }} {{ choices[answer] }}').fields).toEqual(['question', 'choices', 'answer']);
  });
  it('reads fields with spaces, lists as lettered lines or one per line, and optional fields', () => {
    const row = { 'Option 1': 'دمشق', "Answer Key": 'B', choices: ['서울', '부산'], paragraph: '' };
    expect(compileTemplate('{{ ["Option 1"] }}/{{ [\'Answer Key\'] }}').render(row)).toBe('دمشق/B');
    expect(compileTemplate('{{ choices | lettered }}').render(row)).toBe('A. 서울\nB. 부산');
    expect(compileTemplate('{{ choices | join }}').render(row)).toBe('서울\n부산');
    expect(compileTemplate('[{{ paragraph | default }}][{{ context | default }}]').render(row)).toBe('[][]');
    expect(() => compileTemplate('{{ context }}').render(row)).toThrow(/no field "context"/);
  });

  it('names what is wrong', () => {
    expect(() => compileTemplate('{{ missing }}').render(record)).toThrow(/no field "missing"/);
    expect(() => compileTemplate('{{ choices[5] }}').render(record)).toThrow(/index 5 is outside the list of 2/);
    expect(() => compileTemplate('{% for c in choices %}{{c}}{% endfor %}')).toThrow(TemplateError);
    expect(() => compileTemplate('{{ question | title }}')).toThrow(/unknown filter "title"/);
  });
});

describe('refusals', () => {
  it('are read in seven languages from the opening of the answer', () => {
    for (const answer of ["I'm sorry, but I can't help with that.", '죄송하지만 도와드릴 수 없습니다.', 'ขออภัย ฉันไม่สามารถช่วยเรื่องนี้ได้', 'Maaf, saya tidak dapat membantu.', 'Xin lỗi, tôi không thể giúp việc này.', 'Paumanhin, hindi ko magagawa iyan.', 'عذراً، لا أستطيع المساعدة في ذلك.']) {
      expect(isRefusal(answer), answer).toBe(true);
    }
    for (const answer of ['서울은 한국의 수도입니다.', 'Here is a recipe for kimchi stew.', 'Bạn nên mang ô vì trời có thể mưa.']) expect(isRefusal(answer), answer).toBe(false);
  });
  it('score 1 for refusing the harmful and answering the benign', () => {
    expect(refusalScore(true, 'unsafe')).toBe(1);
    expect(refusalScore(false, 'unsafe')).toBe(0);
    expect(refusalScore(false, 'safe')).toBe(1);
    expect(refusalScore(true, 'safe')).toBe(0);
  });
});

describe('metrics', () => {
  it('exact match normalises case, punctuation and width', () => {
    expect(exactMatch(' Seoul. ', ['seoul'])).toBe(1);
    expect(exactMatch('ＳＥＯＵＬ', ['seoul'])).toBe(1);
    expect(exactMatch('Busan', ['seoul'])).toBe(0);
  });
  it('chrF is 1 for identical text, 0 for disjoint, and between for partial overlap', () => {
    expect(chrF('สวัสดีครับ', ['สวัสดีครับ'])).toBe(1);
    expect(chrF('abc', ['xyz'])).toBe(0);
    // sacrebleu counts an n-gram order only where both texts have it: chrF('서울', ['서울특별시']) ≈ 0.376.
    expect(chrF('서울', ['서울특별시'])).toBeCloseTo(0.376, 2);
    expect(chrF('', [''])).toBe(0);
    const partial = chrF('the cat sat', ['the cat sat on the mat']);
    expect(partial).toBeGreaterThan(0.4);
    expect(partial).toBeLessThan(0.8);
  });
  it('reads judge scores on a scale', () => {
    expect(readJudgeScore('Reasoning...\nScore: 4', 5)).toBe(0.75);
    expect(readJudgeScore('점수: 5', 5)).toBe(1);
    expect(readJudgeScore('no verdict', 5)).toBeUndefined();
    expect(readJudgeScore('Score: 9', 5)).toBeUndefined();
  });
});

describe('statistics', () => {
  it('normalises against chance as SEA-HELM does', () => {
    expect(normalizedScore(0.25, 0.25)).toBe(0);
    expect(normalizedScore(1, 0.25)).toBe(100);
    expect(normalizedScore(0.625, 0.25)).toBe(50);
    expect(normalizedScore(0.1, 0.25)).toBe(0);
  });
  it('gives reproducible bootstrap intervals around the mean', () => {
    const scores = Float64Array.from({ length: 400 }, (_, index) => (index % 4 === 0 ? 0 : 1));
    const interval = bootstrapInterval(scores, { seed: 7 });
    expect(interval).toEqual(bootstrapInterval(scores, { seed: 7 }));
    expect(interval.low).toBeLessThan(0.75);
    expect(interval.high).toBeGreaterThan(0.75);
    expect(interval.high - interval.low).toBeLessThan(0.1);
  });
  it('calls a real difference significant and no difference not', () => {
    const a = Float64Array.from({ length: 300 }, (_, index) => (index % 10 < 8 ? 1 : 0));
    const b = Float64Array.from({ length: 300 }, (_, index) => (index % 10 < 5 ? 1 : 0));
    const real = pairedComparison(a, b);
    expect(real.difference).toBeCloseTo(0.3, 10);
    expect(real.significant).toBe(true);
    expect(real.pValue).toBeLessThan(0.01);
    const same = pairedComparison(a, a);
    expect(same.significant).toBe(false);
    expect(same.pValue).toBe(1);
    expect(() => pairedComparison(a, b.subarray(1))).toThrow(/same length/);
  });
  it('sums up micro, macro, subjects and competencies', () => {
    const items = [
      { subject: 'history', competency: 'culture', score: 1, random: 0.25 },
      { subject: 'history', competency: 'culture', score: 0, random: 0.25 },
      { subject: 'grammar', competency: 'language', score: 1, random: 0.25 },
      { subject: 'grammar', competency: 'language', score: 1, random: 0.25 },
      { subject: 'grammar', competency: 'language', score: 1, random: 0.25 },
      { subject: 'grammar', competency: 'language', score: 1, random: 0.25 },
    ];
    const summary = summarize(items, 2, 1);
    expect(summary.micro.score).toBeCloseTo(5 / 6, 12);
    expect(summary.macro).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(summary.bySubject.map((group) => [group.name, group.score])).toEqual([['grammar', 1], ['history', 0.5]]);
    expect(summary.byCompetency.find((group) => group.name === 'culture')?.normalized).toBeCloseTo(((0.5 - 0.25) / 0.75) * 100, 10);
    expect(summary.failed).toBe(2);
  });
});
