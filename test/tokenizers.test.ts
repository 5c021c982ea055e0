/**
 * Token counters: known counts for English, Korean, Thai, Arabic and Japanese; agreement with
 * js-tiktoken's own encode() on random text; special-token text counted as text; no quadratic
 * blow-up on long unspaced Thai; the estimate being the gateway's; each encoding loaded once.
 */
import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { byteEstimate, type TokenCounter } from '../src/spec/tokens.js';
import type { TiktokenEncodingName } from '../src/tokenizers/tiktoken-counter.js';
import { loadTokenCounters } from '../src/tokenizers/token-counters.js';

const english = 'The quick brown fox jumps over the lazy dog.';
const korean = '대한민국의 수도는 서울입니다.';
const thai = 'ประเทศไทยมีเมืองหลวงคือกรุงเทพมหานคร';
const arabic = 'عاصمة المملكة العربية السعودية هي الرياض.';
const japanese = 'お誕生日おめでとう';

/**
 * Expected counts come from OpenAI's own tokenizer, not from the code under test: its Rust core as
 * compiled to WebAssembly in the `tiktoken` npm package (1.0.22), `encode(text, [], [])`. The
 * English and Japanese rows also match OpenAI's cookbook ("How to count tokens with tiktoken":
 * "tiktoken is great!" is [83, 1609, 5963, 374, 2294, 0] in cl100k_base).
 */
const knownCounts: Record<TiktokenEncodingName, ReadonlyArray<readonly [string, number]>> = {
  cl100k_base: [
    ['tiktoken is great!', 6],
    ['Hello, world! How are you today?', 9],
    [english, 10],
    [korean, 15],
    ['안녕하세요', 5],
    [thai, 34],
    ['สวัสดีครับ', 9],
    [arabic, 28],
    ['مرحبا', 5],
    [japanese, 9],
    ['<|endoftext|>', 7],
  ],
  o200k_base: [
    ['tiktoken is great!', 6],
    ['Hello, world! How are you today?', 9],
    [english, 10],
    [korean, 8],
    ['안녕하세요', 2],
    [thai, 10],
    ['สวัสดีครับ', 5],
    [arabic, 8],
    ['مرحبا', 2],
    [japanese, 8],
    ['<|endoftext|>', 7],
  ],
};

const encodings: readonly TiktokenEncodingName[] = ['cl100k_base', 'o200k_base'];

let counters: Map<string, TokenCounter>;
beforeAll(async () => {
  counters = await loadTokenCounters(['o200k_base', 'cl100k_base', 'estimate']);
});

function counter(name: string): TokenCounter {
  const found = counters.get(name);
  if (found === undefined) throw new Error(`no counter ${name}`);
  return found;
}

describe.each(encodings)('%s', (name) => {
  it('counts known strings as OpenAI tiktoken does', () => {
    for (const [text, tokens] of knownCounts[name]) expect([text, counter(name).count(text)]).toEqual([text, tokens]);
  });

  it('is a real tokenizer named after its encoding', () => {
    expect(counter(name).name).toBe(name);
    expect(counter(name).exact).toBe(true);
  });

  it('counts the empty string as 0 and the same text the same way twice', () => {
    expect(counter(name).count('')).toBe(0);
    for (const text of [english, korean, thai, arabic]) {
      expect(counter(name).count(text)).toBeGreaterThan(0);
      expect(counter(name).count(text)).toBe(counter(name).count(text));
    }
  });

  it('counts special-token text as plain text instead of throwing', () => {
    const prompt = 'Ignore <|endoftext|> and <|fim_prefix|><|im_start|> please';
    expect(() => counter(name).count(prompt)).not.toThrow();
    expect(counter(name).count('<|endoftext|>')).toBeGreaterThan(1);
  });

  it("agrees with js-tiktoken's encode() on random text", async () => {
    const ranks = name === 'cl100k_base' ? await import('js-tiktoken/ranks/cl100k_base') : await import('js-tiktoken/ranks/o200k_base');
    const reference = new Tiktoken(ranks.default);
    const agrees = (text: string): boolean => counter(name).count(text) === reference.encode(text, [], []).length;
    for (const text of ['\ud800', 'a\udc00b', '😀👍🏽 emoji', '   \n\n  \t x', "it's 2026"]) expect([text, agrees(text)]).toEqual([text, true]);
    // Any code points, lone surrogates included.
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), agrees), { numRuns: 300 });
    // Scripts Nara serves, with the whitespace, digits, contractions and markers the pattern splits on.
    const pieces = [...'가나다한국어 กขคทยั ิ ี ่ ้ าเ عربيةال 日本語お 0123456789 abcXYZ', ' ', '  ', '\n', '\r\n', '\t', "'s", "'LL", '<|endoftext|>', '!?', '...'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 80 }), (parts) => agrees(parts.join(''))), { numRuns: 300 });
  });

  it('counts long text with no spaces without a quadratic blow-up', () => {
    // One pre-token of 19,000 characters in o200k_base: js-tiktoken's encode() takes minutes.
    const unspacedThai = 'สวัสดีครับผมชื่อสมชายยินดีที่ได้รู้จัก'.repeat(500);
    const started = performance.now();
    expect(counter(name).count(unspacedThai)).toBeGreaterThan(0);
    expect(counter(name).count('a'.repeat(200_000))).toBe(25_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('o200k_base and cl100k_base', () => {
  it('o200k_base needs fewer tokens than cl100k_base for Korean, Thai and Arabic', () => {
    for (const text of [korean, thai, arabic]) expect(counter('o200k_base').count(text)).toBeLessThan(counter('cl100k_base').count(text));
  });
});

describe('estimate', () => {
  it("is the gateway's own byte estimate, one token per four UTF-8 bytes", () => {
    expect(counter('estimate')).toBe(byteEstimate);
    expect(byteEstimate.exact).toBe(false);
    expect(byteEstimate.count('')).toBe(0);
    expect(byteEstimate.count('abcd')).toBe(1);
    expect(byteEstimate.count('abcde')).toBe(2);
    expect(byteEstimate.count('한')).toBe(1);
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => byteEstimate.count(text) === Math.ceil(Buffer.byteLength(text, 'utf8') / 4)));
  });
});

describe('loadTokenCounters', () => {
  it('loads each distinct encoding once and always includes the estimate', async () => {
    const loads: string[] = [];
    const load = async (name: TiktokenEncodingName): Promise<TokenCounter> => {
      loads.push(name);
      return { name, exact: true, count: () => 1 };
    };
    const loaded = await loadTokenCounters(['o200k_base', 'estimate', 'o200k_base', 'cl100k_base', 'o200k_base'], load);
    expect(loads.sort()).toEqual(['cl100k_base', 'o200k_base']);
    expect([...loaded.keys()].sort()).toEqual(['cl100k_base', 'estimate', 'o200k_base']);
    expect(loaded.get('o200k_base')?.name).toBe('o200k_base');

    loads.length = 0;
    const none = await loadTokenCounters([], load);
    expect(loads).toEqual([]);
    expect([...none.keys()]).toEqual(['estimate']);
  });

  it('builds an encoding once per process, however often it is asked for', async () => {
    const again = await loadTokenCounters(['cl100k_base', 'o200k_base', 'o200k_base']);
    expect(again.get('o200k_base')).toBe(counter('o200k_base'));
    expect(again.get('cl100k_base')).toBe(counter('cl100k_base'));
  });

  it('refuses a name that is not a tokenizer', async () => {
    await expect(loadTokenCounters(['estimate', 'p50k_base'])).rejects.toThrow(/unknown tokenizer "p50k_base"/);
  });
});
