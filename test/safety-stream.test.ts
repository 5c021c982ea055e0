/**
 * The incremental stream moderator against the one-shot checks it replaces: the skeleton built
 * piece by piece (held-back units included) must equal `skeletonOf` of the text so far, the term
 * walks carried across pieces must find what `TermIndex.find` finds, and the moderator's findings
 * must be those of `localFindings` — on random texts full of the skeleton's edge cases (spaces
 * beside Hangul, jamo to compose, letters spelled out, invisible padding, surrogate pairs split
 * between pieces), cut at random places.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { termIndexFor } from '../src/config/safety-data.js';
import { localFindings, type Finding } from '../src/safety/moderation.js';
import type { SafetyRuleSet } from '../src/safety/safety-policy.js';
import { skeletonOf } from '../src/safety/skeleton.js';
import { SkeletonStream, UnitBuffer } from '../src/safety/skeleton-stream.js';
import { StreamModerator } from '../src/safety/stream-moderator.js';
import { compileRule, type CompiledRule } from '../src/safety/tenant-rules.js';
import { TermIndex, type TermHit } from '../src/safety/term-index.js';

/** Pieces of text the random answers are made of: words, terms and their parts, and every kind of character the skeleton treats specially. */
const atoms = [
  'kill', 'skill', 'killer', 'k', 'i', 'l', 'h', 'him', 'a', 'hitman', 'hit', 'man', 'make', 'bomb', ' ', '  ', '.', ', ', '!', '-', '_',
  '\u200b', '\u00ad', '\ufe0f', 'K1LL', 'ｋｉｌｌ', '@', '$', '0', '3', 'é', 'Ạ',
  '자살', '자', '살', '살인', '범', '나라', ' 입니다', 'ㅅ', 'ㅏ', 'ㄹ', 'ㅇ', 'ㅣ', 'ㄴ', 'ㅂ', 'ㅓ', 'ㅁ', 'ㄱ', 'ㅎ',
  '\u1109', '\u1161', '\u11af', '\u110b', '\u1175', '\u11ab', '\u1100', '\u1104',
  'ฆ่า', 'ตัว', 'ตาย', 'قتل', 'قَ', 'ـ', '𝐤', '𝐢', '𝐥', '😀', '\ud835', '\udc24', '\ud800', '½', 'ﬁ', '\n',
];

const index = TermIndex.of([
  { term: 'kill', category: 'vcr', severity: 'high' },
  { term: 'kill him', category: 'hte', severity: 'low' },
  { term: 'hitman', category: 'vcr', severity: 'high' },
  { term: 'hit', category: 'ncr', severity: 'medium' },
  { term: 'make a bomb', category: 'iwp', severity: 'high' },
  { term: 'ill', category: 'dfm', severity: 'medium' },
  { term: '자살', category: 'ssh', severity: 'medium' },
  { term: '살인범', category: 'vcr', severity: 'high' },
  { term: '살', category: 'prv', severity: 'medium' },
  { term: 'ฆ่าตัวตาย', category: 'ssh', severity: 'high' },
  { term: 'قتل', category: 'vcr', severity: 'high' },
  { term: 'ahitman', category: 'src', severity: 'high' },
]);

/** A text of random atoms, and where it is cut into pieces. */
const textsOf = (from: readonly string[]) =>
  fc
    .array(fc.constantFrom(...from), { minLength: 0, maxLength: 40 })
    .map((parts) => parts.join(''))
    .chain((text) => fc.tuple(fc.constant(text), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, text.length - 1) }), { maxLength: 12 })));
const answers = textsOf(atoms);
/** Narrower alphabets, where terms and the skeleton's look-ahead cases come up far more often. */
const jamoAnswers = textsOf(['자', '살', 'ㅅㅏㄹ', 'ㅇㅣㄴ', 'ㅂㅓㅁ', 'ㅅ', 'ㅏ', 'ㄹ', 'ㅇ', 'ㅣ', 'ㄴ', 'ㅂ', 'ㅓ', 'ㅁ', ' ', 'x', '\u200b']);
const letterAnswers = textsOf(['k', 'i', 'l', 'h', 'm', 'a', 't', 'n', ' ', '.', 'kill', 'him', '\u200b']);

function piecesOf(text: string, cuts: readonly number[]): string[] {
  const at = [0, ...[...cuts].filter((cut) => cut < text.length).sort((a, b) => a - b), text.length];
  return at.slice(1).map((end, index) => text.slice(at[index], end));
}

/** The skeleton of everything written so far: what the stream gave out, then what `end` gives on a copy. */
function skeletonSoFar(stream: SkeletonStream, given: UnitBuffer): { text: string; origin: number[]; joined: number[] } {
  const ending = new UnitBuffer();
  const copy = new SkeletonStream(ending);
  copy.copyFrom(stream);
  copy.end();
  const codes = [...given.codes.subarray(0, given.length), ...ending.codes.subarray(0, ending.length)];
  return {
    text: String.fromCharCode(...codes),
    origin: [...given.origins.subarray(0, given.length), ...ending.origins.subarray(0, ending.length)],
    joined: [...given.joined.subarray(0, given.length), ...ending.joined.subarray(0, ending.length)],
  };
}

function oneShot(text: string): { text: string; origin: number[]; joined: number[] } {
  const skeleton = skeletonOf(text);
  return { text: skeleton.text, origin: [...skeleton.origin], joined: skeleton.joinedLetters === undefined ? Array.from(skeleton.origin, () => 0) : [...skeleton.joinedLetters] };
}

/** `find` with offsets of the text, as TermStream gives them. */
function findIn(text: string): string[] {
  const skeleton = skeletonOf(text);
  return index.find(skeleton.codes, skeleton.joinedLetters).map((match) => key({ ...match, start: skeleton.origin[match.start] as number, end: (skeleton.origin[match.end - 1] as number) + 1 }));
}

const key = (hit: Pick<TermHit, 'category' | 'start' | 'end'>) => `${hit.category}@${hit.start}-${hit.end}`;
const findingKey = (finding: Finding) => `${finding.hazard}:${finding.source}@${finding.start ?? ''}-${finding.end ?? ''}`;

describe('the skeleton of a streamed text', () => {
  it('equals the skeleton of the text so far after every piece, however the text is cut', () => {
    fc.assert(
      fc.property(fc.oneof(answers, jamoAnswers, letterAnswers), ([text, cuts]) => {
        const given = new UnitBuffer();
        const stream = new SkeletonStream(given);
        let written = '';
        for (const piece of piecesOf(text, cuts)) {
          stream.write(piece);
          written += piece;
          expect(skeletonSoFar(stream, given)).toEqual(oneShot(written));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('decides held units as soon as what follows them arrives', () => {
    const given = new UnitBuffer();
    const stream = new SkeletonStream(given);
    const out = () => String.fromCharCode(...given.codes.subarray(0, given.length));
    stream.write('ab  ');
    // The space waits for the unit after it: kept before a letter, dropped before Hangul.
    expect(out()).toBe('ab');
    stream.write('ㅅㅏㄹ');
    // ㄹ closes 살 or starts the next syllable: held.
    expect(out()).toBe('ab');
    stream.write('ㅏ');
    expect(out()).toBe('ab사');
    stream.write('x y');
    // "y" may be the first letter of a word spelled out: held.
    expect(out()).toBe('ab사라x ');
    stream.write('z');
    expect(out()).toBe('ab사라x yz');
  });

  it('joins an astral character split between pieces', () => {
    const given = new UnitBuffer();
    const stream = new SkeletonStream(given);
    for (const piece of ['x \ud835', '\udc24\ud835', '\udc22', '\ud835\udc25\ud835\udc25 y']) stream.write(piece);
    expect(skeletonSoFar(stream, given)).toEqual(oneShot('x 𝐤𝐢𝐥𝐥 y'));
  });
});

describe('term walks carried across pieces', () => {
  it('give what find gives on the text so far, and together everything find gives on the whole text', () => {
    fc.assert(
      fc.property(fc.oneof(answers, jamoAnswers, letterAnswers), ([text, cuts]) => {
        const terms = index.stream();
        const stream = new SkeletonStream(terms);
        const pending = new UnitBuffer();
        const ending = new SkeletonStream(pending);
        const reported = new Set<string>();
        let written = '';
        let before: string[] = [];
        for (const piece of piecesOf(text, cuts)) {
          stream.write(piece);
          written += piece;
          pending.length = 0;
          ending.copyFrom(stream);
          ending.end();
          const hits: TermHit[] = [];
          terms.take(pending, hits);
          const now = findIn(written);
          for (const hit of hits) {
            // Everything given is found in the text so far (a walk that ended found its match for good).
            expect(now, `${JSON.stringify(written)}: ${key(hit)}`).toContain(key(hit));
            reported.add(key(hit));
          }
          // And whatever find gives now and did not give before the piece came is given now.
          const given = hits.map(key);
          for (const found of now) if (!before.includes(found)) expect(given, JSON.stringify(written)).toContain(found);
          before = now;
        }
        for (const found of findIn(text)) expect(reported, JSON.stringify(text)).toContain(found);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the incremental moderator against localFindings', () => {
  const keywords = compileRule({ id: 'kw', hazard: 'custom:topic', keywords: ['hit man', '나라'] });
  const longText = compileRule({ id: 'long', hazard: 'custom:long', maxChars: 60 });
  const inputOnly = compileRule({ id: 'in', hazard: 'custom:in', where: 'input', keywords: ['skill'] });
  const rules = [keywords, longText, inputOnly].map((compiled) => (compiled.ok ? compiled.rule : expect.unreachable(compiled.reason))) as CompiledRule[];
  const set: SafetyRuleSet = { defaultAction: 'monitor', actions: new Map(), terms: index, minSeverity: 'medium', rules };

  it('finds, over the stream, what localFindings finds in the whole answer, and at each check only what it finds in the answer so far', () => {
    fc.assert(
      fc.property(fc.oneof(answers, jamoAnswers, letterAnswers), fc.integer({ min: 1, max: 30 }), ([text, cuts], every) => {
        const moderator = new StreamModerator(set, every);
        const reported = new Set<string>();
        let written = '';
        let unchecked = 0;
        let before: string[] = [];
        // After a check: what it gave is found in the answer so far, and what is found there and was not at the last check was given.
        const checked = (decision: ReturnType<StreamModerator['push']>) => {
          const now = localFindings(written, set, 'output').map(findingKey);
          const given = (decision?.findings ?? []).map(findingKey);
          for (const finding of given) {
            expect(now, JSON.stringify(written)).toContain(finding);
            reported.add(finding);
          }
          for (const finding of now) if (!before.includes(finding)) expect(given, JSON.stringify(written)).toContain(finding);
          before = now;
          unchecked = 0;
        };
        for (const piece of piecesOf(text, cuts)) {
          written += piece;
          unchecked += piece.length;
          const decision = moderator.push(piece);
          if (unchecked >= every) checked(decision);
          else expect(decision).toBeUndefined();
        }
        if (unchecked > 0) checked(moderator.finish());
        for (const finding of localFindings(text, set, 'output')) expect(reported, JSON.stringify(text)).toContain(findingKey(finding));
      }),
      { numRuns: 2000 },
    );
  });

  it('catches a term within the check interval of its end, however long its padding', () => {
    const moderator = new StreamModerator(set, 24);
    const padded = [...'hire a hitman'].join('\u200b'.repeat(200));
    const answer = `${'Well, '.repeat(30)}${padded} and then some more words to finish the sentence.`;
    const termEnd = answer.indexOf('n', answer.indexOf('m\u200b')) + 1;
    let caughtAt: number | undefined;
    for (let at = 0; at < answer.length && caughtAt === undefined; at += 7) {
      if (moderator.push(answer.slice(at, at + 7))?.hazards.includes('vcr') === true) caughtAt = at + 7;
    }
    expect(caughtAt).toBeDefined();
    expect((caughtAt as number) - termEnd).toBeLessThanOrEqual(24 + 7);
  });

  it('reads regular-expression rules on the text as written, with offsets in the whole answer', () => {
    const pattern = compileRule({ id: 'card', hazard: 'custom:card', pattern: '\\b\\d{4}-\\d{4}\\b' });
    const patternSet: SafetyRuleSet = { ...set, terms: null, rules: [pattern.ok ? pattern.rule : expect.unreachable()] };
    const moderator = new StreamModerator(patternSet, 8);
    const answer = `${'filler words here. '.repeat(20)}card 1234-5678 ok`;
    const found: Finding[] = [];
    for (let at = 0; at < answer.length; at += 5) found.push(...(moderator.push(answer.slice(at, at + 5))?.findings ?? []));
    found.push(...(moderator.finish()?.findings ?? []));
    expect(found.length).toBeGreaterThan(0);
    for (const finding of found) expect(answer.slice(finding.start, finding.end)).toBe('1234-5678');
  });

  it('checks the shipped term lists on a long answer in many small pieces like the one-shot check', () => {
    const shipped: SafetyRuleSet = { defaultAction: 'monitor', actions: new Map(), terms: termIndexFor(['en', 'ko', 'th', 'ar']), minSeverity: 'medium', rules: [] };
    const answer = `${'나라는 한국의 AI 게이트웨이입니다. '.repeat(10)}Here is how to hire a hitman. 자살하는 방법 알려줘. ${'데이터는 국내에 머뭅니다. '.repeat(10)}`;
    const moderator = new StreamModerator(shipped, 24);
    const hazards = new Set<string>();
    for (let at = 0; at < answer.length; at += 3) for (const hazard of moderator.push(answer.slice(at, at + 3))?.hazards ?? []) hazards.add(hazard);
    for (const hazard of moderator.finish()?.hazards ?? []) hazards.add(hazard);
    expect([...hazards].sort()).toEqual([...new Set(localFindings(answer, shipped, 'output').map((finding) => finding.hazard))].sort());
  });
});
