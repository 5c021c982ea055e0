/** A stored audit leaf as an object, or undefined when its bytes are not a JSON object (a damaged line: `nara audit verify` reports it). */
export function leafObject(leaf: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(leaf).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
