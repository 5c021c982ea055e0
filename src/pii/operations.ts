/**
 * The PII operations a policy can ask for: detect (`scan`), redact to a typed placeholder, mask all
 * but the last characters, and pseudonymise with restoration of the answer (see surrogates.ts and
 * stream-restorer.ts, re-exported here so callers have one entry point).
 */
import { replaceEntities, type EntityCounts, type SelectOptions } from './entity-selection.js';

export { scan } from './scanner.js';
export { PseudonymScope, type PseudonymScopeOptions, type PseudonymiseOptions } from './surrogates.js';
export { StreamRestorer, restore } from './stream-restorer.js';
export { SurrogateCache } from './surrogate-cache.js';
export type { EntityCounts, SelectOptions } from './entity-selection.js';

export interface OperationResult {
  readonly text: string;
  readonly counts: EntityCounts;
}

/** Every entity replaced by its type in brackets: `[KR_RRN]`. */
export function redact(text: string, options: SelectOptions = {}): OperationResult {
  return replaceEntities(text, options, (_value, entity) => `[${entity.type}]`);
}

export interface MaskOptions extends SelectOptions {
  /** Letters and digits left visible at the end; default 4. */
  readonly keepLast?: number;
  /** What each hidden letter or digit becomes; default `*`. */
  readonly maskChar?: string;
}

const letterOrDigit = /^[\p{L}\p{N}]$/u;

/**
 * Letters and digits hidden except the last `keepLast`; separators, `+`, `@` and dots stay, so a
 * masked number keeps the shape a reader recognises (`******-***1234`).
 */
export function maskValue(value: string, keepLast: number, maskChar: string): string {
  const chars = Array.from(value);
  let visible = Math.max(0, Math.floor(keepLast));
  for (let index = chars.length - 1; index >= 0; index -= 1) {
    if (!letterOrDigit.test(chars[index] as string)) continue;
    if (visible > 0) visible -= 1;
    else chars[index] = maskChar;
  }
  return chars.join('');
}

export function mask(text: string, options: MaskOptions = {}): OperationResult {
  const keepLast = options.keepLast ?? 4;
  const maskChar = options.maskChar ?? '*';
  return replaceEntities(text, options, (value) => maskValue(value, keepLast, maskChar));
}
