/**
 * What was pasted into the provenance page's manifest field. The verify endpoint wants the envelope
 * string alone (`nara.provenance.manifest` of the answer), but people copy what they see: the whole
 * `nara.provenance` object, the answer's `nara` member, or the id from the `x-nara-provenance` header
 * (which names the manifest without carrying it). Those are read here; anything else is refused with
 * a message, instead of being sent for Nara to reject with a parser's complaint. No React here, so
 * that the Node tests can check it directly.
 */

export type ManifestInput =
  | { readonly kind: 'none' }
  /** `unwrapped`: taken out of a pasted JSON object (say so to the user). */
  | { readonly kind: 'envelope'; readonly envelope: string; readonly unwrapped: boolean }
  /** A provenance id: its envelope is to be fetched from GET /v1/provenance/{id}. */
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'invalid' };

const base64url = '[A-Za-z0-9_-]';
/** `<JWS: three base64url parts>~<manifest>~<leaf index>~<tree size>~<path: hashes joined by ".">` (src/audit/provenance-envelope.ts). */
const envelopePattern = new RegExp(`^${base64url}+\\.${base64url}+\\.${base64url}+~${base64url}+~\\d{1,9}~\\d{1,9}~[A-Za-z0-9_.-]*$`);
/** What the server accepts as an id (provenance-routes.ts); Nara's own ids start with prov_. */
const idPattern = /^prov_[A-Za-z0-9_.-]{1,195}$/;

export function isEnvelope(text: string): boolean {
  return envelopePattern.test(text);
}

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The `{id, manifest}` object inside what was pasted: itself, `provenance`, or `nara.provenance`. */
function provenanceObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  const top = record(value);
  if (top === undefined) return undefined;
  return record(record(top.nara)?.provenance) ?? record(top.provenance) ?? top;
}

export function readManifestInput(text: string): ManifestInput {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'none' };
  if (isEnvelope(trimmed)) return { kind: 'envelope', envelope: trimmed, unwrapped: false };
  if (idPattern.test(trimmed)) return { kind: 'id', id: trimmed };
  if (trimmed.startsWith('{') || trimmed.startsWith('"')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { kind: 'invalid' };
    }
    if (typeof parsed === 'string') return isEnvelope(parsed.trim()) ? { kind: 'envelope', envelope: parsed.trim(), unwrapped: true } : { kind: 'invalid' };
    const provenance = provenanceObject(parsed);
    const manifest = provenance?.manifest;
    if (typeof manifest === 'string' && isEnvelope(manifest.trim())) return { kind: 'envelope', envelope: manifest.trim(), unwrapped: true };
    const id = provenance?.id;
    if (manifest === undefined && typeof id === 'string' && idPattern.test(id)) return { kind: 'id', id };
  }
  return { kind: 'invalid' };
}
