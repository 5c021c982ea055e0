/**
 * What a guard model answered, read from its own output format into Nara's taxonomy:
 *   Llama Guard 3/4   "safe"  |  "unsafe\nS1,S10"
 *   Qwen3Guard        "Safety: Safe|Unsafe|Controversial\nCategories: Violent, PII\n(Refusal: Yes|No)"
 * Anything else is unreadable, which the caller treats as a guard failure (never as "safe").
 */
import { llamaGuardCategories, qwen3GuardCategories, type Hazard } from './hazards.js';

export type GuardFormat = 'llama-guard' | 'qwen3guard';

export type GuardReading =
  | { readonly ok: true; readonly safe: boolean; readonly hazards: readonly Hazard[]; readonly controversial: boolean }
  | { readonly ok: false; readonly reason: string };

export interface GuardReadingOptions {
  /** Qwen3Guard's "Controversial": unsafe (its strict mode, the default) or safe (its loose mode). */
  readonly controversialIsUnsafe?: boolean;
}

export function readGuardOutput(format: GuardFormat, output: string, options: GuardReadingOptions = {}): GuardReading {
  return format === 'llama-guard' ? readLlamaGuard(output) : readQwen3Guard(output, options.controversialIsUnsafe ?? true);
}

function readLlamaGuard(output: string): GuardReading {
  const lines = output.trim().split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const verdict = lines[0]?.toLowerCase();
  if (verdict === 'safe') return { ok: true, safe: true, hazards: [], controversial: false };
  if (verdict !== 'unsafe') return { ok: false, reason: `a Llama Guard answer starts with "safe" or "unsafe"; this one did not (${output.length} characters, not quoted: a guard may echo the text it judged)` };
  const hazards = new Set<Hazard>();
  for (const code of (lines[1] ?? '').split(',').map((part) => part.trim().toUpperCase()).filter((part) => part !== '')) {
    const mapped = llamaGuardCategories[code];
    if (mapped === undefined) return { ok: false, reason: 'the Llama Guard answer names a category outside S1–S14' };
    for (const hazard of mapped) hazards.add(hazard);
  }
  return { ok: true, safe: false, hazards: [...hazards], controversial: false };
}

function readQwen3Guard(output: string, controversialIsUnsafe: boolean): GuardReading {
  const safety = /safety:\s*(safe|unsafe|controversial)\b/i.exec(output)?.[1]?.toLowerCase();
  if (safety === undefined) return { ok: false, reason: `a Qwen3Guard answer names "Safety: Safe|Unsafe|Controversial"; this one did not (${output.length} characters, not quoted)` };
  const listed = /categories:\s*([^\n]*)/i.exec(output)?.[1] ?? '';
  const hazards = new Set<Hazard>();
  for (const name of listed.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '' && part !== 'none')) {
    const mapped = qwen3GuardCategories[name];
    if (mapped === undefined) return { ok: false, reason: 'the Qwen3Guard answer names a category it does not define' };
    for (const hazard of mapped) hazards.add(hazard);
  }
  const controversial = safety === 'controversial';
  const safe = safety === 'safe' || (controversial && !controversialIsUnsafe);
  return { ok: true, safe, hazards: safe ? [] : [...hazards], controversial };
}
