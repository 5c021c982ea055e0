/**
 * Hostile and malformed input through every PII operation: lone surrogates, empty text, a 10 MB
 * single line, megabyte runs of digits, separators, `@`, `:`, hex, IBAN and NRIC look-alikes. Nothing
 * may throw, and each operation must stay roughly linear: the bound (2 s per MB plus a second) is
 * loose enough for a noisy 2-core machine and still far below what quadratic work on a megabyte
 * would take (minutes).
 */
import { describe, expect, it } from 'vitest';
import { mask, PseudonymScope, redact, scan, StreamRestorer } from '../src/pii/operations.js';

const megabyte = 1024 * 1024;

/** `unit` repeated to about `bytes` UTF-16 code units. */
function fill(unit: string, bytes = megabyte): string {
  return unit.repeat(Math.ceil(bytes / unit.length));
}

/** Fails when `work` takes longer than the linear bound for `text`. */
function withinBound<T>(label: string, text: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  const elapsed = performance.now() - started;
  const bound = 1000 + (2000 * text.length) / megabyte;
  expect(elapsed, `${label}: ${elapsed.toFixed(0)} ms for ${(text.length / megabyte).toFixed(1)} M code units`).toBeLessThan(bound);
  return result;
}

/** Every operation on `text`: scan, redact, mask, pseudonymise, and restoring a stream of it. */
function everyOperation(label: string, text: string): void {
  const entities = withinBound(`${label} scan`, text, () => scan(text));
  for (const entity of entities) {
    expect(entity.start).toBeGreaterThanOrEqual(0);
    expect(entity.end).toBeLessThanOrEqual(text.length);
    expect(entity.start).toBeLessThan(entity.end);
  }
  withinBound(`${label} redact`, text, () => redact(text, { entities }));
  withinBound(`${label} mask`, text, () => mask(text, { entities }));
  const scope = new PseudonymScope({ secret: 'bad-input' });
  const pseudonymised = withinBound(`${label} pseudonymise`, text, () => scope.pseudonymise(text, { entities }));
  withinBound(`${label} restore`, text, () => {
    const restorer = new StreamRestorer(scope);
    let restored = '';
    for (let index = 0; index < pseudonymised.text.length; index += 4096) restored += restorer.push(pseudonymised.text.slice(index, index + 4096));
    return restored + restorer.end();
  });
}

describe('PII operations on bad input', () => {
  it('handles empty input', () => {
    expect(scan('')).toEqual([]);
    expect(redact('').text).toBe('');
    expect(mask('').text).toBe('');
    const scope = new PseudonymScope({ secret: 'bad-input' });
    expect(scope.pseudonymise('').text).toBe('');
    const restorer = new StreamRestorer(scope);
    expect(restorer.push('') + restorer.end()).toBe('');
  });

  it('handles lone surrogates and invalid UTF-16 around identifiers', () => {
    const cases = ['\ud800', '\udfff', '\ud83d971013-9019902', '971013-9019902\udc00', '\udc00\ud800 S8076606H \ud800\ud800', `${'\ud800'.repeat(1000)}010-1234-5678${'\udc00'.repeat(1000)}`];
    for (const text of cases) {
      expect(() => everyOperation(JSON.stringify(text.slice(0, 20)), text)).not.toThrow();
    }
    expect(() => everyOperation('surrogate megabyte', fill('\ud800a1\udc00 '))).not.toThrow();
  });

  it('scans a 10 MB single line of mixed digits and letters', { timeout: 120_000 }, () => {
    const text = fill('ab12 cd345-67 ef8.9 S1234567D 4111 1111 1111 1111 주민번호971013-9019902 x@y.co 2001:db8::1 ', 10 * megabyte);
    expect(text.includes('\n')).toBe(false);
    const found = withinBound('10 MB line', text, () => scan(text));
    expect(found.length).toBeGreaterThan(0);
  });

  const pathological: [string, string][] = [
    ['a 1 MB digit run', fill('1')],
    ['a 1 MB run of every digit', fill('0123456789')],
    ['full-width and Thai digits', fill('１２３๑๒๓٤٥٦۷۸۹')],
    ['1-1-1-…', fill('1-')],
    ['1 1 1 …', fill('1 ')],
    ['1.1.1.…', fill('1.')],
    ['1234 1234 …', fill('1234 ')],
    ['. . .', fill('. ')],
    ['- - -', fill('- ')],
    ['@@@@', fill('@')],
    ['aaaa@aaaa@…', fill('aaaa@')],
    ['a.b@c.d…', fill('a.b@c.d')],
    [':::::', fill(':')],
    ['hex and colons', fill('ab:')],
    ['digits and colons', fill('1:')],
    ['long hex groups and colons', fill('abcd:1234:')],
    ['double colons', fill('::1')],
    ['IBAN prefixes AB12AB12…', fill('AB12')],
    ['IBAN prefixes with spaces', fill('AB12 ')],
    ['NRIC look-alikes', fill('S1234567D')],
    ['NRIC look-alikes with spaces', fill('S1234567D ')],
    ['passport look-alikes', fill('M123A4567M12345678')],
    ['plus signs', fill('+1 ')],
    ['phones', fill('010-1234-5678 ')],
    ['card-like rows', fill('4111 1111 1111 1111 ')],
    ['commas and digits (CSV)', fill('1234567890123,')],
    ['a CSV header and rows', `phone,card,id\n${fill('0812345678901,4111111111111111,971013-9019902\n')}`],
  ];

  it.each(pathological)('%s', { timeout: 120_000 }, (label, text) => {
    expect(() => everyOperation(label, text)).not.toThrow();
  });
});
