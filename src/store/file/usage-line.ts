/**
 * One usage record as one NDJSON line, written field by field: JSON.stringify's generic walk cost
 * about three times as much per record, on a path every request takes. Strings still go through
 * JSON.stringify, so escaping is exactly JSON's.
 */
import type { UsageRecord } from '../../spec/usage.js';

export function usageLine(record: UsageRecord): string {
  return (
    `{"requestId":${json(record.requestId)},"at":${json(record.at)},"day":${json(record.day)},"tenantId":${json(record.tenantId)}` +
    `,"keyId":${json(record.keyId)},"model":${json(record.model)},"backendId":${nullable(record.backendId)},"jurisdiction":${nullable(record.jurisdiction)}` +
    `,"operation":${json(record.operation)},"stream":${record.stream},"status":${number(record.status)},"errorCode":${nullable(record.errorCode)}` +
    `,"promptTokens":${number(record.promptTokens)},"completionTokens":${number(record.completionTokens)},"cachedTokens":${number(record.cachedTokens)}` +
    `,"estimated":${record.estimated},"costMicros":${number(record.costMicros)},"currency":${json(record.currency)}` +
    `,"latencyMs":${number(record.latencyMs)},"attempts":${number(record.attempts)}}`
  );
}

const json = (value: string): string => JSON.stringify(value);
const nullable = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));
/** JSON has no NaN or Infinity; JSON.stringify writes them as null, and so does this. */
const number = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');
