/**
 * A stored audit leaf read back for the console: its bytes as stored (what its hash covers) and,
 * when they are a JSON object, its facts. A tenant admin reads only their tenant's leaves; any other
 * reads as missing, so that nothing is learnt of other tenants' events.
 */
import type { AuditAuthority } from '../../spec/audit.js';

/** A stored audit leaf as an object, or undefined when its bytes are not a JSON object (a damaged line: `nara audit verify` reports it). */
export function leafObject(leaf: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(leaf).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Leaf `index` as stored and parsed; undefined when gone, or not of `tenant` when a tenant is given. */
export async function readLeafFor(audit: AuditAuthority, index: number, tenant: string | undefined): Promise<{ readonly bytes: Uint8Array; readonly event: Record<string, unknown> | undefined } | undefined> {
  const bytes = await audit.readLeaf(index);
  if (bytes === undefined) return undefined;
  const event = leafObject(bytes);
  if (tenant !== undefined && event?.tenant !== tenant) return undefined;
  return { bytes, event };
}
