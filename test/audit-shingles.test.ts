/**
 * Detection fingerprints: HalfSipHash-2-4 against the reference implementation's test vectors, and
 * the sketches' behaviour (same text: 1; light edits: high; unrelated: ~0; key matters).
 */
import { describe, expect, it } from 'vitest';
import { halfSipHash, halfSipHashUtf16, keyWords } from '../src/audit/half-siphash.js';
import { shinglesOf, similarity, sketchOf } from '../src/audit/shingles.js';

describe('HalfSipHash-2-4 (32-bit output)', () => {
  it('matches the reference vectors for key 00..07 and messages 00..(n-1)', () => {
    const key = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const expected = [0x5b9f35a9, 0xb85a4727, 0x03a662fa, 0x04e7fe8a, 0x89466e2a, 0x69b6fac5, 0x23fc6358, 0xc563cf8b, 0x8f84b8d0];
    expected.forEach((value, length) => expect(halfSipHash(key, Uint8Array.from({ length }, (_, index) => index))).toBe(value));
  });
});

describe('sketches', () => {
  const key = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
  const text = 'The ministry announced that rural clinics will receive new diagnostic equipment next spring, and nurses in remote districts will be trained to use it.';

  it('hashes a string range exactly as the UTF-16LE bytes of that range', () => {
    const key = Uint8Array.from({ length: 8 }, (_, index) => index * 31 + 5);
    const text = 'ab서울은 맑습니다 🙂 สวัสดี x';
    for (let start = 0; start < text.length; start += 1) {
      for (let end = start; end <= text.length; end += 1) {
        expect(halfSipHashUtf16(keyWords(key), text, start, end)).toBe(halfSipHash(key, Buffer.from(text.slice(start, end), 'utf16le')));
      }
    }
  });

  it('uses character shingles for Korean and Thai, word shingles elsewhere', () => {
    expect(shinglesOf('서울은 맑습니다')[0]).toBe('서울은맑');
    expect(shinglesOf('a b c d')).toEqual(['a b c', 'b c d']);
  });

  it('scores the same text 1, a light edit high, an unrelated text near 0, and depends on the key', () => {
    const sketch = sketchOf(text, key);
    expect(similarity(sketch, sketch)).toBe(1);
    expect(similarity(sketchOf(text.replace('next spring', 'in the spring'), key), sketch)).toBeGreaterThan(0.5);
    expect(similarity(sketchOf('Football results from Jakarta and the weather for the weekend ahead in Surabaya.', key), sketch)).toBeLessThan(0.1);
    expect([...sketchOf(text, new TextEncoder().encode('another key, another fingerprint'))]).not.toEqual([...sketch]);
  });
});
