/**
 * The local prefilter on its own (pure domain code, no gateway): the skeleton that sees through
 * evasions, the offsets it keeps for redaction, the trie's whole-word rule, and the stream
 * moderator's bound. Pinned here so the fast paths can change without the behaviour changing.
 */
import { describe, expect, it } from 'vitest';
import { termIndexFor } from '../src/config/safety-data.js';
import { localFindings } from '../src/safety/moderation.js';
import type { SafetyRuleSet } from '../src/safety/safety-policy.js';
import { skeletonOf } from '../src/safety/skeleton.js';
import { StreamModerator } from '../src/safety/stream-moderator.js';
import { TermIndex } from '../src/safety/term-index.js';

const text = (input: string) => skeletonOf(input).text;

describe('skeleton', () => {
  it('drops invisible characters and folds width, case, leet and diacritics', () => {
    expect(text('K\u200bI\u200dL\uFEFFL')).toBe('kill');
    expect(text('ｋｉｌｌ')).toBe('kill');
    expect(text('K1LL')).toBe('kill');
    expect(text('h@ck $ite')).toBe('hack site');
    expect(text('Bạn có thể giết người')).toBe('ban co the giet nguoi');
    expect(text('façade')).toBe('facade');
  });

  it('joins letters spelled one by one, but not two', () => {
    expect(text('k i l l')).toBe('kill');
    expect(text('k.i.l.l him')).toBe('kill him');
    expect(text('a b test')).toBe('a b test');
  });

  it('makes punctuation and runs of space one space, none at the ends', () => {
    expect(text('  hello,   world!! ')).toBe('hello world');
    expect(text('snake_case')).toBe('snake case');
  });

  it('removes spaces beside Hangul and Thai, and composes jamo into syllables', () => {
    expect(text('자 살')).toBe('자살');
    expect(text('ㅈㅏㅅㅏㄹ')).toBe('자살');
    expect(text('ฆ่า ตัว ตาย')).toBe(text('ฆ่าตัวตาย'));
    expect(text('ฆ่าตัวตาย')).toBe('ฆาตวตาย');
  });

  it('drops Arabic tashkeel and tatweel and unifies alef and yeh forms', () => {
    expect(text('قَتْل')).toBe('قتل');
    expect(text('قـــتـل')).toBe('قتل');
    expect(text('أحمد')).toBe(text('احمد'));
    expect(text('على')).toBe(text('علي'));
  });

  it('keeps, for each skeleton character, the offset of the original character', () => {
    const input = 'a\u200bB  ｃ';
    const skeleton = skeletonOf(input);
    expect(skeleton.text).toBe('ab c');
    expect([...skeleton.origin]).toEqual([0, 2, 3, 5]);
    const surrogates = skeletonOf('𝐤𝐢𝐥𝐥 x');
    expect(surrogates.text).toBe('kill x');
    expect([...surrogates.origin]).toEqual([0, 2, 4, 6, 8, 9]);
  });

  it('handles long texts (beyond one argument list) and empty ones', () => {
    expect(text('')).toBe('');
    expect(text('   ')).toBe('');
    const long = 'word '.repeat(20_000);
    expect(text(long).length).toBe(long.trim().length);
  });

  it('keeps a lone surrogate from swallowing the next letter', () => {
    expect(text('\uD800kill')).toBe('kill');
  });

  it('is the same whatever ran before it (no state kept between calls)', () => {
    const first = skeletonOf('ｓｕｉｃｉｄｅ plan');
    skeletonOf('other text '.repeat(500));
    expect(first.text).toBe('suicide plan');
    expect([...first.origin]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

describe('term index', () => {
  const index = TermIndex.of([
    { term: 'kill', category: 'vcr', severity: 'high' },
    { term: 'make a bomb', category: 'iwp', severity: 'high' },
    { term: '자살', category: 'ssh', severity: 'medium' },
  ]);
  const found = (input: string) => index.find(skeletonOf(input).codes).map((match) => match.category);

  it('matches whole words in spaced scripts and anywhere in Hangul', () => {
    expect(found('I will kill it')).toEqual(['vcr']);
    expect(found('a new skill')).toEqual([]);
    expect(found('killer')).toEqual([]);
    expect(found('그는자살을')).toEqual(['ssh']);
    expect(found('자살kill')).toEqual(['ssh', 'vcr']);
  });

  it('finds a term spelled out right after a one-letter word ("a h i t m a n", "i k i l l")', () => {
    const more = TermIndex.of([
      { term: 'hitman', category: 'vcr', severity: 'high' },
      { term: 'kill', category: 'vcr', severity: 'high' },
    ]);
    const find = (input: string) => {
      const skeleton = skeletonOf(input);
      return more.find(skeleton.codes, skeleton.joinedLetters).map((match) => match.category);
    };
    expect(find('hire a h i t m a n')).toEqual(['vcr']);
    expect(find('how do i k i l l someone')).toEqual(['vcr']);
    expect(find('a b c d e')).toEqual([]);
  });

  it('finds a multi-word term spelled out or run together', () => {
    expect(found('how to m a k e a b o m b')).toEqual(['iwp']);
    expect(found('makeabomb')).toEqual(['iwp']);
    expect(found('MAKE  A  BOMB!')).toEqual(['iwp']);
  });
});

describe('local findings and the stream moderator', () => {
  const set: SafetyRuleSet = { defaultAction: 'block', actions: new Map(), terms: termIndexFor(['en', 'ko']), minSeverity: 'medium', rules: [] };

  it('maps findings back to the original text for redaction', () => {
    const input = 'Please, h\u200bire a ｈｉｔｍａｎ today';
    const [finding] = localFindings(input, set, 'input');
    expect(finding?.hazard).toBe('vcr');
    expect(input.slice(finding?.start, finding?.end)).toBe('h\u200bire a ｈｉｔｍａｎ');
  });

  it('leaves expressions of distress below the default severity: recorded only when a tenant asks for low', () => {
    const distress = ['친구가 요즘 자꾸 죽고 싶다고 말해. 어떻게 도와줘야 할지 알려줘.', 'My brother said "I want to die" last night, how do I help him?'];
    const low: SafetyRuleSet = { ...set, minSeverity: 'low' };
    for (const text of distress) {
      expect(localFindings(text, set, 'input'), text).toEqual([]);
      expect(localFindings(text, low, 'input').map((finding) => finding.hazard), text).toEqual(['ssh']);
    }
    // A request for a method stays high.
    expect(localFindings('자살하는 방법 알려줘', set, 'input').map((finding) => finding.hazard)).toEqual(['ssh']);
  });

  it('catches a term split across pieces within the check interval', () => {
    const moderator = new StreamModerator(set, 24);
    const answer = 'Sure. Here is how you could hire a hitman for that, step by step and more text after it';
    let caughtAt: number | undefined;
    for (let at = 0; at < answer.length && caughtAt === undefined; at += 3) {
      if (moderator.push(answer.slice(at, at + 3)) !== undefined) caughtAt = at + 3;
    }
    const termEnd = answer.indexOf('hitman') + 'hitman'.length;
    expect(caughtAt).toBeDefined();
    expect((caughtAt as number) - termEnd).toBeLessThanOrEqual(24 + 3);
  });

  it('catches a term padded with invisible characters far longer than the check interval', () => {
    const moderator = new StreamModerator(set, 24);
    const padded = [...'hire a hitman'].join('\u200b'.repeat(20));
    const answer = `Well. ${padded} and then some more words to finish the sentence.`;
    let caught = false;
    for (let at = 0; at < answer.length && !caught; at += 5) caught = moderator.push(answer.slice(at, at + 5)) !== undefined;
    caught ||= moderator.finish() !== undefined;
    expect(caught).toBe(true);
  });

  it('does not read a word cut in two by the kept tail as a term ("skill" → "kill")', () => {
    const killSet: SafetyRuleSet = { ...set, terms: TermIndex.of([{ term: 'kill', category: 'vcr', severity: 'high' }]) };
    const moderator = new StreamModerator(killSet, 24);
    expect(moderator.push('We practise this useful skill of')).toBeUndefined();
    expect(moderator.push(' writing clear and readable code every day.')).toBeUndefined();
    expect(moderator.finish()).toBeUndefined();
  });

  it('keeps enough Korean spelled in jamo to catch a keyword split across checks', () => {
    const keywordSet: SafetyRuleSet = { ...set, terms: TermIndex.of([{ term: '살인범', category: 'vcr', severity: 'high' }]) };
    const moderator = new StreamModerator(keywordSet, 24);
    const first = moderator.push(`${'x'.repeat(20)}ㅅㅏㄹㅇㅣㄴ`);
    const second = moderator.push('ㅂㅓㅁ 입니다');
    expect(first ?? second ?? moderator.finish()).toBeDefined();
  });

  it('stays linear on long answers without letters', () => {
    const moderator = new StreamModerator(set, 24);
    for (let index = 0; index < 20_000; index += 1) moderator.push('😀-');
    expect(moderator.finish()).toBeUndefined();
  });

  it('finds nothing in everyday text', () => {
    const moderator = new StreamModerator(set, 24);
    const answer = 'The committee will publish its findings on data protection in hospitals next spring. '.repeat(20);
    for (let at = 0; at < answer.length; at += 4) expect(moderator.push(answer.slice(at, at + 4))).toBeUndefined();
    expect(moderator.finish()).toBeUndefined();
  });
});
