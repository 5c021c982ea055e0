/**
 * Reads an audit leaf's facts from its own bytes, in the browser. The page shows these and nothing
 * the server parsed for it: the bytes are what the inclusion proof checks, so facts read from them
 * are the facts the proof covers. A server's parsed copy could say anything beside valid bytes.
 */
import { decodeBase64 } from './bytes.js';

export type LeafReading =
  | {
      readonly ok: true;
      /** The leaf's own index (`"i"`), if it names one as Nara's leaves do. */
      readonly index: number | undefined;
      /** Every field of the leaf, `i` and `prev` included. */
      readonly fields: Readonly<Record<string, unknown>>;
    }
  | {
      readonly ok: false;
      /** `base64`: the bytes did not arrive intact; `json`: they are not one UTF-8 JSON object. */
      readonly problem: 'base64' | 'json';
      /** English, for the technical details. */
      readonly reason: string;
    };

export function readLeaf(leafBase64: string): LeafReading {
  const bytes = decodeBase64(leafBase64);
  if (bytes === undefined) return { ok: false, problem: 'base64', reason: 'the leaf is not canonical base64' };
  let text: string;
  try {
    // fatal: bytes that are not UTF-8 are refused, not shown with replacement characters.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'json', reason: 'the leaf is not UTF-8 text' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: 'json', reason: `the leaf is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'json', reason: 'the leaf is JSON but not an object' };
  const fields = value as Record<string, unknown>;
  const index = typeof fields.i === 'number' && Number.isSafeInteger(fields.i) && fields.i >= 0 ? fields.i : undefined;
  return { ok: true, index, fields };
}
