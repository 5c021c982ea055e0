/**
 * How an audit event becomes a leaf of the log: one line of JSON that starts with its own leaf index
 * and the hash of the previous leaf, then the event. The Merkle tree proves the whole log to anyone
 * holding a signed checkpoint; the index and the chain let a verifier name the exact line that was
 * edited, moved or deleted, which the tree alone (one root per checkpoint) cannot.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../spec/audit.js';

export interface Leaf {
  readonly index: number;
  /** Hex leaf hash (RFC 9162) of the previous leaf; 64 zeros for the first. */
  readonly prev: string;
  readonly event: AuditEvent;
}

export const firstPrev = '0'.repeat(64);

/** The leaf's bytes: `{"i":N,"prev":"…",<event fields>}` with no trailing newline. */
export function serializeLeaf(index: number, prev: string, event: AuditEvent): Buffer {
  const body = JSON.stringify(event);
  return Buffer.from(`{"i":${index},"prev":"${prev}",${body.slice(1)}`, 'utf8');
}

export type LeafReading = { readonly ok: true; readonly leaf: Leaf } | { readonly ok: false; readonly reason: string };

/** Parses one stored line; says what is wrong with it rather than throwing. */
export function parseLeaf(line: Buffer | string): LeafReading {
  let value: unknown;
  try {
    value = JSON.parse(typeof line === 'string' ? line : line.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const { i, prev, ...event } = value as Record<string, unknown>;
  if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) return { ok: false, reason: 'no leaf index "i"' };
  if (typeof prev !== 'string' || !/^[0-9a-f]{64}$/.test(prev)) return { ok: false, reason: 'no previous-leaf hash "prev"' };
  if (event.v !== 1 || typeof event.requestId !== 'string' || typeof event.time !== 'string') return { ok: false, reason: 'not an audit event (v, requestId, time)' };
  return { ok: true, leaf: { index: i, prev, event: event as unknown as AuditEvent } };
}

/** The request id of a stored line without parsing it all (start-up builds its index this way). */
export function requestIdOfLine(line: string): string | undefined {
  const marker = '"requestId":"';
  const at = line.indexOf(marker);
  if (at < 0) return undefined;
  const end = line.indexOf('"', at + marker.length);
  return end < 0 ? undefined : line.slice(at + marker.length, end);
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
