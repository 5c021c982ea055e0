/** The hand-written NDJSON line of a usage record reads back exactly as JSON.stringify's would. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usageLine } from '../src/store/file/usage-line.js';
import type { UsageRecord } from '../src/spec/usage.js';

const record: fc.Arbitrary<UsageRecord> = fc.record({
  requestId: fc.string(),
  at: fc.string(),
  day: fc.string(),
  tenantId: fc.string(),
  keyId: fc.string(),
  model: fc.string({ unit: 'binary' }),
  backendId: fc.option(fc.string(), { nil: null }),
  jurisdiction: fc.option(fc.string(), { nil: null }),
  operation: fc.constantFrom('chat' as const, 'completion' as const, 'embedding' as const),
  stream: fc.boolean(),
  status: fc.integer({ min: 100, max: 599 }),
  errorCode: fc.option(fc.string(), { nil: null }),
  promptTokens: fc.nat(),
  completionTokens: fc.nat(),
  cachedTokens: fc.nat(),
  estimated: fc.boolean(),
  costMicros: fc.maxSafeNat(),
  currency: fc.string(),
  latencyMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
  attempts: fc.nat(10),
});

describe('usageLine', () => {
  it('parses back to the same record as JSON.stringify does, for any strings (quotes, newlines, lone surrogates)', () => {
    fc.assert(
      fc.property(record, (value) => {
        const line = usageLine(value);
        expect(line).not.toContain('\n');
        expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });
});
