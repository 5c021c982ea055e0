/**
 * What the gateway tells observers (metrics, logs, later audit). Stages never import observers;
 * the gateway calls these hooks, and each observer decides what to record.
 */
import type { ErrorCode } from '../spec/errors.js';
import type { TokenUsage } from '../spec/openai.js';
import type { RequestKind } from './request-context.js';
import type { StageRecord } from '../spec/stage.js';
import type { PiiAnswerMode, PiiMode } from '../spec/pii-policy.js';

export interface RequestRecord {
  readonly requestId: string;
  /** Unique per request across replicas (see RequestContext.meterId). */
  readonly meterId: string;
  readonly operation: RequestKind;
  readonly stream: boolean;
  readonly tenantId: string | undefined;
  readonly keyId: string | undefined;
  readonly model: string | undefined;
  readonly backendId: string | undefined;
  readonly jurisdiction: string | undefined;
  /** HTTP status sent (or 499 when the client left first). */
  readonly status: number;
  readonly errorCode: ErrorCode | undefined;
  readonly attempts: number;
  readonly durationSeconds: number;
  /** From sending to the engine until its answer (or first chunk) arrived. */
  readonly upstreamSeconds: number | undefined;
  readonly usage: TokenUsage | undefined;
  /** What the answer cost at the answering back end's prices, in micro-units (0 when none answered). */
  readonly costMicros: number;
  readonly currency: string | undefined;
  readonly trail: readonly StageRecord[];
  /** What the pii stage did, in counts by type (never values); absent when its policy was off. */
  readonly pii: PiiSummary | undefined;
  /** What the safety checks found, as hazard ids (never text); absent when the tenant's safety is off. */
  readonly safety: SafetySummary | undefined;
}

export interface SafetySummary {
  /** The strictest action the checks took: off (nothing found), monitor, redact or block. */
  readonly action: 'off' | 'monitor' | 'redact' | 'block';
  readonly hazards: readonly string[];
  /** Found by the shadow rule set: recorded, never enforced. */
  readonly shadowHazards: readonly string[];
  /** Time spent waiting for guard models, when one was asked. */
  readonly guardSeconds: number | undefined;
  /** A guard model failed and the request went on (fail-open). */
  readonly failedOpen: boolean;
}

export interface PiiSummary {
  /** The mode of the request that reached the answering back end; undefined when none did (blocked, failed). */
  readonly action: PiiMode | undefined;
  readonly entities: Readonly<Record<string, number>>;
  readonly answerEntities: Readonly<Record<string, number>>;
  /** What the policy does with personal data the model writes (detect or redact). */
  readonly answerAction: PiiAnswerMode;
}

export interface GatewayObserver {
  onRequestEnd?(record: RequestRecord): void;
  /** One attempt on one back end failed; the router may go on to the next candidate. */
  onAttemptFailed?(backendId: string, code: ErrorCode, willFailover: boolean): void;
  /** A tenant asked for a model served only outside its policy. */
  onResidencyDenied?(tenantId: string, model: string, servedIn: readonly string[]): void;
  onBackendHealth?(backendId: string, healthy: boolean, reason: string | undefined): void;
  /** An audit event could not be written; `servedAnyway` under fail-open. */
  onAuditFailed?(reason: string, servedAnyway: boolean): void;
}
