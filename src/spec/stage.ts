/**
 * Every pipeline stage returns a verdict: continue with a value, or stop with a catalogued error.
 * The request keeps a trail of `StageRecord`s (never raw values), which later feeds the audit log.
 */
import type { NaraError } from './errors.js';

export type StageName =
  | 'authenticate'
  | 'parse'
  | 'resolve-model'
  | 'residency'
  | 'pii'
  | 'admit'
  | 'route'
  | 'relay'
  | 'pii-answer'
  | 'safety'
  | 'safety-answer';

export type Verdict<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: NaraError };

export interface StageRecord {
  readonly stage: StageName;
  readonly ok: boolean;
  /** Error code when the stage stopped the request. */
  readonly code?: string;
  /** Non-secret facts such as "candidates=2 denied=1". */
  readonly note?: string;
}

export function pass<T>(value: T): Verdict<T> {
  return { ok: true, value };
}

export function stop<T = never>(error: NaraError): Verdict<T> {
  return { ok: false, error };
}
