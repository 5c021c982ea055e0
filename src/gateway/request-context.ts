/** The state of one request as it moves through the pipeline. */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../spec/auth.js';
import type { Operation, TokenUsage } from '../spec/openai.js';
import type { StageRecord } from '../spec/stage.js';
import type { TenantConfig } from '../config/types.js';
import type { Candidate } from './routing-table.js';
import type { Admission } from './stages/admit.js';
import type { PiiPlan } from './pii/pii-plan.js';
import type { SafetyCheck, SafetyRecord } from './safety/safety-check.js';
import type { RequestRecord } from './events.js';

/**
 * Cancels one request: plain callbacks for the hot path (see `EngineCallOptions.onCancel`), and an
 * AbortSignal, created only when an engine asks for one (the embedded engine, streams).
 */
export class RequestCancellation {
  private controller: AbortController | undefined;
  private listeners: (() => void)[] | undefined;
  private cancelled = false;

  get aborted(): boolean {
    return this.cancelled;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort();
    }
    return this.controller.signal;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.controller?.abort();
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }

  readonly onCancel = (listener: () => void): (() => void) => {
    if (this.cancelled) {
      listener();
      return noop;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index !== -1) this.listeners?.splice(index, 1);
    };
  };
}

function noop(): void {}

/** What a request asks for: an operation that reaches an engine, or the model list. */
export type RequestKind = Operation | 'models';

export interface RequestContext {
  /** The client-visible id (the client's own x-request-id when it sent a valid one). */
  readonly requestId: string;
  /**
   * Unique across replicas and restarts even when clients reuse x-request-id: names the request's
   * limiter reservation and its usage record, so two requests can never be counted as one.
   */
  readonly meterId: string;
  readonly operation: RequestKind;
  /** process.hrtime.bigint() at arrival. */
  readonly startedAt: bigint;
  /** Fired when the client disconnects. */
  readonly cancellation: RequestCancellation;
  principal: Principal | undefined;
  tenant: TenantConfig | undefined;
  model: string | undefined;
  stream: boolean;
  /** Whether the client asked for the final usage chunk of a stream. */
  clientWantsUsage: boolean;
  candidate: Candidate | undefined;
  attempts: number;
  upstreamSeconds: number | undefined;
  usage: TokenUsage | undefined;
  /** What the admit stage reserved; settled once when the request ends. */
  admission: Admission | undefined;
  /** What the "pii" stage found and decided; undefined when the tenant's policy is off for every candidate. */
  pii: PiiPlan | undefined;
  /** What the safety checks found and did; undefined when the tenant's safety policy is off. */
  safety: SafetyRecord | undefined;
  /** With safety.parallel: the prompt's guard check, running while the answer is generated. */
  safetyPending: Promise<SafetyCheck> | undefined;
  /** Guessed language of the prompt, set only when a safety check found something (for counting by language). */
  promptLanguage: string | undefined;
  /** What the HTTP adapter gives the audit event: digests always, content only when the tenant keeps it. */
  readonly audit: { requestSha256?: string; answerSha256?: string; requestText?: string; answerText?: string };
  /**
   * The output's provenance manifest to come: its id (known from the start, so a stream's headers
   * can name it) and the text the client is given, gathered as it is sent.
   */
  provenance: { readonly id: string; text: string; readonly embed: boolean } | undefined;
  /** The record built when the response was sealed (audited before its last bytes), reused by finish. */
  sealed: RequestRecord | undefined;
  readonly trail: StageRecord[];
}

/** Random per process, so meter ids from two replicas (or two runs) never meet. */
const processTag = randomBytes(8).toString('hex');
let sequence = 0;

export function createContext(requestId: string, operation: RequestKind, cancellation = new RequestCancellation()): RequestContext {
  sequence += 1;
  return {
    requestId,
    meterId: `${processTag}-${sequence.toString(36)}`,
    operation,
    startedAt: process.hrtime.bigint(),
    cancellation,
    principal: undefined,
    tenant: undefined,
    model: undefined,
    stream: false,
    clientWantsUsage: false,
    candidate: undefined,
    attempts: 0,
    upstreamSeconds: undefined,
    usage: undefined,
    admission: undefined,
    pii: undefined,
    safety: undefined,
    safetyPending: undefined,
    promptLanguage: undefined,
    audit: {},
    provenance: undefined,
    sealed: undefined,
    trail: [],
  };
}

export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
