/**
 * PII operations: redact and mask on sentences of the region, pseudonymisation that is consistent
 * and format-preserving, restoration of whole answers, and of streamed answers split anywhere.
 */
import { describe, expect, it } from 'vitest';
import { creditCard, krResidentNumber, saNationalId, thNationalId } from '../src/pii/check-digits.js';
import { compactIdentifier } from '../src/pii/digits.js';
import { PseudonymScope, StreamRestorer, SurrogateCache, mask, redact, restore, scan } from '../src/pii/operations.js';
import { seededRandom } from '../src/eval/statistics.js';

const korean = '주민번호971013-9019902입니다. 휴대폰 010-1234-5678로 연락주세요';
const thai = 'เลขบัตรประชาชน 3-1006-00445-63-5 ค่ะ';
const thaiDigits = 'เลขบัตรประชาชน ๓-๑๐๐๖-๐๐๔๔๕-๖๓-๕ ค่ะ';
const arabic = 'رقم الهوية ١٠٠٠٠٠٠٠٠٨ شكرا';
const card = 'card 4111 1111 1111 1111 exp 12/29';

/** Deterministic PRNG (mulberry32, the one the eval statistics use) so random chunkings are reproducible. */
const prng = seededRandom;

function streamed(scope: PseudonymScope, chunks: readonly string[]): string {
  const restorer = new StreamRestorer(scope);
  return chunks.map((chunk) => restorer.push(chunk)).join('') + restorer.end();
}

function compact(value: string): string {
  const result = compactIdentifier(value);
  expect(result, value).toBeDefined();
  return result as string;
}

describe('redact', () => {
  it('replaces each entity with its type and counts them (Korean)', () => {
    const result = redact(korean);
    expect(result.text).toBe('주민번호[KR_RRN]입니다. 휴대폰 [PHONE]로 연락주세요');
    expect(result.counts).toEqual({ KR_RRN: 1, PHONE: 1 });
  });

  it('keeps the text around Thai and Arabic identifiers in place, in any digit script', () => {
    expect(redact(thai)).toEqual({ text: 'เลขบัตรประชาชน [TH_ID] ค่ะ', counts: { TH_ID: 1 } });
    expect(redact(thaiDigits)).toEqual({ text: 'เลขบัตรประชาชน [TH_ID] ค่ะ', counts: { TH_ID: 1 } });
    expect(redact(arabic)).toEqual({ text: 'رقم الهوية [SA_NID] شكرا', counts: { SA_NID: 1 } });
  });

  it('leaves no digit of the original behind', () => {
    for (const text of [korean, thai, thaiDigits, arabic, card]) {
      const out = redact(text).text;
      for (const entity of scan(text)) expect(out).not.toContain(entity.text);
      expect(out.replace(/12\/29/, '')).not.toMatch(/[0-9\u0e50-\u0e59\u0660-\u0669]/);
    }
  });

  it('uses precomputed entities and the score floor', () => {
    const entities = scan(korean);
    expect(redact(korean, { entities: entities.filter((entity) => entity.type === 'PHONE') }).counts).toEqual({ PHONE: 1 });
    expect(redact(korean, { minScore: 1.01 })).toEqual({ text: korean, counts: {} });
  });
});

describe('mask', () => {
  it('keeps separators and the last four digits', () => {
    expect(mask(korean).text).toBe('주민번호******-***9902입니다. 휴대폰 ***-****-5678로 연락주세요');
    expect(mask(thai).text).toBe('เลขบัตรประชาชน *-****-****5-63-5 ค่ะ');
    expect(mask(thaiDigits, { keepLast: 2, maskChar: '#' }).text).toBe('เลขบัตรประชาชน #-####-#####-#๓-๕ ค่ะ');
    expect(mask(arabic).text).toBe('رقم الهوية ******٠٠٠٨ شكرا');
    expect(mask(card, { keepLast: 0 })).toEqual({ text: 'card **** **** **** **** exp 12/29', counts: { CREDIT_CARD: 1 } });
  });
});

describe('pseudonymise', () => {
  it('gives the same original the same surrogate and different originals different ones', () => {
    const scope = new PseudonymScope({ secret: 'tenant-a' });
    const text = 'RRN 971013-9019902, again 971013-9019902, phone 010-1234-5678 and 010-9876-5432';
    const result = scope.pseudonymise(text);
    expect(result.counts).toEqual({ KR_RRN: 2, PHONE: 2 });
    const found = scan(text).map((entity) => scope.surrogateFor(entity.type, entity.text));
    expect(found[0]).toBe(found[1]);
    expect(found[2]).not.toBe(found[3]);
    for (const entity of scan(text)) expect(result.text).not.toContain(entity.text);
    expect(scope.pseudonymise(text).text).toBe(result.text);
  });

  it('never gives two originals one surrogate', () => {
    const scope = new PseudonymScope();
    const seen = new Map<string, string>();
    for (let serial = 0; serial < 300; serial += 1) {
      const original = `4111 1111 1111 ${String(1000 + serial)}`;
      const surrogate = scope.surrogateFor('CREDIT_CARD', original);
      expect(seen.has(surrogate)).toBe(false);
      seen.set(surrogate, original);
    }
    for (const [surrogate, original] of seen) expect(scope.originalOf(surrogate)).toBe(original);
  });

  it('makes surrogates that keep shape, script and separators and still validate', () => {
    const cases: [string, (compact: string) => ReturnType<typeof thNationalId>, RegExp][] = [
      ['971013-9019902', krResidentNumber, /^[0-9]{6}-[0-9]{7}$/],
      ['3-1006-00445-63-5', thNationalId, /^[0-9]-[0-9]{4}-[0-9]{5}-[0-9]{2}-[0-9]$/],
      ['๓-๑๐๐๖-๐๐๔๔๕-๖๓-๕', thNationalId, /^[๐-๙]-[๐-๙]{4}-[๐-๙]{5}-[๐-๙]{2}-[๐-๙]$/],
      ['١٠٠٠٠٠٠٠٠٨', saNationalId, /^١[٠-٩]{9}$/],
      ['۱۰۰۰۰۰۰۰۰۸', saNationalId, /^۱[۰-۹]{9}$/],
      ['4111 1111 1111 1111', creditCard, /^41[0-9]{2} [0-9]{4} [0-9]{4} [0-9]{4}$/],
    ];
    for (const [original, validate, shape] of cases) {
      expect(validate(compact(original))).toEqual({ valid: true, checkDigitValidated: true });
      // Many scopes, many secrets: each draws a different surrogate, and every one must hold.
      for (let round = 0; round < 50; round += 1) {
        const surrogate = new PseudonymScope({ secret: `secret-${round}` }).surrogateFor(typeOf(validate), original);
        expect(surrogate).not.toBe(original);
        expect(surrogate).toMatch(shape);
        expect(surrogate.length).toBe(original.length);
        expect(validate(compact(surrogate))).toEqual({ valid: true, checkDigitValidated: true });
      }
    }
  });

  it('makes a surrogate the scanner still reads as the same type', () => {
    const scope = new PseudonymScope({ secret: new Uint8Array([1, 2, 3]) });
    const original = '971013-9019902';
    const text = `주민번호 ${original}`;
    const out = scope.pseudonymise(text).text;
    const surrogate = out.slice('주민번호 '.length);
    expect(krResidentNumber(compact(surrogate)).valid).toBe(true);
    expect(scan(out).map((entity) => entity.type)).toEqual(['KR_RRN']);
  });

  it('e-mails, phones and opaque tokens', () => {
    const scope = new PseudonymScope();
    const text = 'mail kim@corp.co.kr, call +82 10-1234-5678 or 081-234-5678, RRN 971013-9019902';
    const out = scope.pseudonymise(text).text;
    expect(out).toMatch(/mail user-1@example\.invalid, call \+82 10-[0-9]{4}-[0-9]{4} or 081-[0-9]{3}-[0-9]{4}, RRN [0-9]{6}-[0-9]{7}$/);
    const tokens = scope.pseudonymise(text, { formatPreserving: false }).text;
    expect(tokens).toBe('mail ⟨EMAIL_1⟩, call ⟨PHONE_1⟩ or ⟨PHONE_2⟩, RRN ⟨KR_RRN_1⟩');
    expect(restore(tokens, scope)).toBe(text);
    expect(restore(out, scope)).toBe(text);
  });
});

function typeOf(validate: (compact: string) => unknown): 'KR_RRN' | 'TH_ID' | 'SA_NID' | 'CREDIT_CARD' {
  if (validate === krResidentNumber) return 'KR_RRN';
  if (validate === thNationalId) return 'TH_ID';
  if (validate === saNationalId) return 'SA_NID';
  return 'CREDIT_CARD';
}

describe('restore', () => {
  const prompt = `${korean} / ${thaiDigits} / ${arabic} / ${card} / kim@corp.co.kr`;

  it('round-trips every sentence, format-preserving or not', () => {
    for (const formatPreserving of [true, false]) {
      const scope = new PseudonymScope();
      const { text } = scope.pseudonymise(prompt, { formatPreserving });
      expect(text).not.toBe(prompt);
      expect(restore(text, scope)).toBe(prompt);
    }
  });

  it('restores surrogates the model repeats, adjacent or glued to text', () => {
    const scope = new PseudonymScope();
    const rrn = scope.surrogateFor('KR_RRN', '971013-9019902');
    const mail = scope.surrogateFor('EMAIL', 'kim@corp.co.kr');
    const token = scope.surrogateFor('TH_ID', '3-1006-00445-63-5', false);
    expect(restore(`${rrn}${rrn} ${mail}${token}입니다${token}`, scope)).toBe('971013-9019902971013-9019902 kim@corp.co.kr3-1006-00445-63-5입니다3-1006-00445-63-5');
  });
});

describe('StreamRestorer', () => {
  const scope = new PseudonymScope({ secret: 'stream' });
  const prompt = `${korean} ${thaiDigits} ${arabic} kim@corp.co.kr ${card}`;
  const fp = scope.pseudonymise(prompt).text;
  const tokens = scope.pseudonymise(prompt, { formatPreserving: false }).text;
  const answer = `답변: ${fp} | ${tokens} | ⟨KR_RRN_ not a token ⟨ | user-1@example.inval | \ud83d\ude00 end`;
  const expected = restore(answer, scope);

  it('restores the answer whole', () => {
    expect(expected).toContain(prompt);
    expect(expected).toContain('⟨KR_RRN_ not a token ⟨');
  });

  it('gives the same text wherever the answer is split in two', () => {
    for (let split = 0; split <= answer.length; split += 1) {
      expect(streamed(scope, [answer.slice(0, split), answer.slice(split)])).toBe(expected);
    }
  });

  it('gives the same text for random chunkings (seeded)', () => {
    const random = prng(0x5eed);
    for (let round = 0; round < 300; round += 1) {
      const chunks: string[] = [];
      for (let index = 0; index < answer.length; ) {
        const size = Math.floor(random() * 8);
        chunks.push(answer.slice(index, index + size));
        index += size;
      }
      expect(streamed(scope, chunks)).toBe(expected);
    }
  });

  it('holds back no more than a possible surrogate start', () => {
    const restorer = new StreamRestorer(scope);
    expect(restorer.push('plain text with no surrogate')).toBe('plain text with no surrogate');
    const emitted = restorer.push('see ⟨KR_RRN');
    expect(emitted).toBe('see ');
    expect(restorer.push('_1⟩!')).toContain('!');
    expect(restorer.push('⟨KR')).toBe('');
    expect(restorer.end()).toBe('⟨KR');
    expect(scope.longestSurrogate).toBeGreaterThan(0);
  });

  it('emits character by character', () => {
    expect(streamed(scope, Array.from(answer))).toBe(expected);
    expect(streamed(scope, answer.split(''))).toBe(expected);
  });
});

describe('TTL, empty and hostile input', () => {
  it('forgets entries unused for ttlMs', () => {
    let clock = 0;
    const scope = new PseudonymScope({ ttlMs: 1000, now: () => clock });
    const surrogate = scope.surrogateFor('KR_RRN', '971013-9019902', false);
    clock = 900;
    expect(scope.surrogateFor('KR_RRN', '971013-9019902', false)).toBe(surrogate);
    clock = 1800;
    expect(restore(surrogate, scope)).toBe('971013-9019902');
    clock = 2801;
    expect(restore(surrogate, scope)).toBe(surrogate);
    expect(scope.size).toBe(0);
    expect(scope.longestSurrogate).toBe(0);
    expect(scope.surrogateFor('KR_RRN', '971013-9019902', false)).not.toBe(surrogate);
  });

  it('handles empty input', () => {
    const scope = new PseudonymScope();
    expect(redact('')).toEqual({ text: '', counts: {} });
    expect(mask('')).toEqual({ text: '', counts: {} });
    expect(scope.pseudonymise('')).toEqual({ text: '', counts: {} });
    expect(restore('', scope)).toBe('');
    expect(streamed(scope, ['', '', ''])).toBe('');
  });

  it('does not throw on lone surrogate characters', () => {
    const scope = new PseudonymScope();
    const text = `\ud800 971013-9019902 \udfff ${card} \ud83d`;
    expect(() => redact(text)).not.toThrow();
    expect(mask(text).text).toContain('\ud800');
    const { text: out } = scope.pseudonymise(text);
    expect(restore(out, scope)).toBe(text);
    expect(streamed(scope, out.split(''))).toBe(text);
  });
});

describe('SurrogateCache', () => {
  it('gives a scope the surrogate another scope of the same key drew, unless it is taken there', () => {
    const cache = new SurrogateCache();
    const first = new PseudonymScope({ secret: 'k', cache }).surrogateFor('KR_RRN', '800101-1234560');
    expect(cache.size).toBe(1);
    expect(new PseudonymScope({ secret: 'k', cache }).surrogateFor('KR_RRN', '800101-1234560')).toBe(first);
    // Without the cache the same key draws the same value: the cache only saves the drawing.
    expect(new PseudonymScope({ secret: 'k' }).surrogateFor('KR_RRN', '800101-1234560')).toBe(first);
    // A scope where that surrogate is someone's real value draws another one.
    const scope = new PseudonymScope({ secret: 'k', cache });
    scope.surrogateFor('KR_RRN', first);
    expect(scope.surrogateFor('KR_RRN', '800101-1234560')).not.toBe(first);
  });

  it('keeps at most its limit, dropping the least recently used', () => {
    const cache = new SurrogateCache(2);
    cache.set('PHONE', 'a', '1');
    cache.set('PHONE', 'b', '2');
    expect(cache.get('PHONE', 'a')).toBe('1');
    cache.set('PHONE', 'c', '3');
    expect(cache.get('PHONE', 'b')).toBeUndefined();
    expect(cache.get('PHONE', 'a')).toBe('1');
    expect(cache.size).toBe(2);
  });
});
