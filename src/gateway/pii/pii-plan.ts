/**
 * One request's PII plan, made by the "pii" stage before routing: what the request carries (found
 * once), the mode each candidate back end gets, the request as each mode sends it (built once per
 * mode, on the first attempt that needs it), and what the answer goes through on its way back.
 * Holds counts by type, never values, for headers, logs and the audit trail.
 */
import { countEntity, type EntityCounts } from '../../pii/entity-selection.js';
import type { Entity } from '../../pii/entity-types.js';
import { redact, type PseudonymScope } from '../../pii/operations.js';
import type { PiiAnswerMode, PiiMode, PiiPolicy } from '../../spec/pii-policy.js';
import type { StageRecord } from '../../spec/stage.js';
import type { ParsedRequest } from '../stages/parse-request.js';
import { mapRequestTexts } from './request-texts.js';
import { chainPipes, detectPipe, redactPipe, restorePipe, type EntityFilter, type TextPipe } from './text-pipes.js';

export interface PiiPlanInput {
  readonly policy: PiiPolicy;
  /** The request's texts, and the entities the policy acts on in each (same order as requestTexts). */
  readonly texts: readonly string[];
  readonly entities: readonly (readonly Entity[])[];
  readonly tokenInput: boolean;
  /** Mode per candidate back-end id, already narrowed to the candidates that may be tried. */
  readonly modes: ReadonlyMap<string, PiiMode>;
  /** The scope surrogates come from: a fresh one per request, or the tenant's. */
  readonly scope: () => PseudonymScope;
}

export class PiiPlan {
  /** Entities in the request the policy acts on, by type. */
  readonly counts: EntityCounts = {};
  readonly found: number;
  /** Entities the model wrote in its answer (restored surrogates and the request's own values excepted). */
  readonly answerCounts: EntityCounts = {};
  /** The mode of the request that reached the back end that answered (the last attempt's). */
  served: PiiMode | undefined;
  /** Whether a whole answer went through `answerPipe` (its counts are final). */
  answerFiltered = false;
  readonly #input: PiiPlanInput;
  readonly #requests = new Map<PiiMode, ParsedRequest>();
  readonly #originals = new Set<string>();
  #scope: PseudonymScope | undefined;

  constructor(input: PiiPlanInput) {
    this.#input = input;
    let found = 0;
    for (const list of input.entities) {
      for (const entity of list) {
        countEntity(this.counts, entity.type);
        this.#originals.add(entity.text);
        found += 1;
      }
    }
    this.found = found;
  }

  get answerMode(): PiiAnswerMode {
    return this.#input.policy.answers;
  }

  get tokenInput(): boolean {
    return this.#input.tokenInput;
  }

  modeFor(candidateId: string): PiiMode {
    return this.#input.modes.get(candidateId) ?? 'off';
  }

  /** The request as `candidateId`'s mode sends it; `request` itself when nothing needs to change. */
  requestFor(candidateId: string, request: ParsedRequest): ParsedRequest {
    const mode = this.modeFor(candidateId);
    this.served = mode;
    return this.preparedFor(mode, request);
  }

  /** The request as `mode` sends it (for calls beside the model's own, such as a guard model's). */
  preparedFor(mode: PiiMode, request: ParsedRequest): ParsedRequest {
    if (mode === 'off' || mode === 'detect') return request;
    let prepared = this.#requests.get(mode);
    if (prepared === undefined) {
      // A copy even when nothing changed: the engine then gets the request as Nara read and checked
      // it, never the client's raw bytes (which could hold a duplicate key Nara's parser dropped).
      if (this.found === 0 || mode === 'block') prepared = { ...request };
      else prepared = mode === 'redact' ? this.#redacted(request) : this.#pseudonymised(request);
      this.#requests.set(mode, prepared);
    }
    return prepared;
  }

  /**
   * A pipe for one answer text (a choice's content, a tool call's arguments); undefined when the
   * answer passes untouched.
   */
  answerPipe(): TextPipe | undefined {
    if (!this.filtersAnswers) return undefined;
    const pipes: TextPipe[] = [];
    const scope = this.#restoringScope();
    if (scope !== undefined) pipes.push(restorePipe(scope));
    const answers = this.#input.policy.answers;
    if (answers === 'detect') pipes.push(detectPipe(this.#acceptInAnswer, this.answerCounts));
    else if (answers === 'redact') pipes.push(redactPipe(this.#acceptInAnswer, this.answerCounts));
    return chainPipes(pipes);
  }

  /** Whether the answer of the back end that served goes through a pipe at all. */
  get filtersAnswers(): boolean {
    const mode = this.served;
    if (mode === undefined || mode === 'off') return false;
    return this.#restoringScope() !== undefined || this.#input.policy.answers !== 'off';
  }

  /**
   * The scope whose surrogates the answer may contain: this request's, when it pseudonymised
   * something; a tenant's in any case, since earlier turns' surrogates can come back in this answer.
   */
  #restoringScope(): PseudonymScope | undefined {
    if (this.served !== 'pseudonymise') return undefined;
    if (this.#scope === undefined && this.#input.policy.scope === 'tenant') this.#scope = this.#input.scope();
    return this.#scope;
  }

  /** The answer's counts for the trail, once the answer is through; none when it was not looked at. */
  answerRecord(): StageRecord | undefined {
    if (this.served === undefined || this.served === 'off') return undefined;
    return { stage: 'pii-answer', ok: true, note: `mode=${this.served} answers=${this.#input.policy.answers} entities=${formatCounts(this.answerCounts)}` };
  }

  readonly #acceptInAnswer: EntityFilter = (entity) => {
    const policy = this.#input.policy;
    if (entity.score < policy.minScore) return false;
    if (policy.entities !== undefined && !policy.entities.has(entity.type)) return false;
    // Values the client sent, in this request or (tenant scope) an earlier one, are its own.
    return !this.#originals.has(entity.text) && this.#scope?.knowsOriginal(entity.text) !== true;
  };

  #redacted(request: ParsedRequest): ParsedRequest {
    return mapRequestTexts(request, (text, index) => {
      const entities = this.#input.entities[index] ?? [];
      return entities.length === 0 ? text : redact(text, { entities, minScore: 0 }).text;
    });
  }

  #pseudonymised(request: ParsedRequest): ParsedRequest {
    const scope = (this.#scope ??= this.#input.scope());
    const formatPreserving = this.#input.policy.surrogates === 'format-preserving';
    return mapRequestTexts(request, (text, index) => {
      const entities = this.#input.entities[index] ?? [];
      return entities.length === 0 ? text : scope.pseudonymise(text, { entities, minScore: 0, formatPreserving }).text;
    });
  }
}

/** "KR_RRN=1, PHONE=2" (types in alphabetical order); "none" when empty. Counts only, never values. */
export function formatCounts(counts: EntityCounts): string {
  const parts = Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, count]) => `${type}=${count}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}
