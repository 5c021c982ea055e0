/**
 * Stage "audit" at the end of every request: the request's event goes to the audit log before the
 * response's last bytes (a JSON body, a stream's `[DONE]`) are written when the log is durable, so
 * a client that got a complete answer can rely on the event being on disk. A log that cannot be
 * written fails requests closed with 503 `audit_unavailable`, unless the operator chose fail-open:
 * then the request is served, and the miss is logged and counted, never silent.
 */
import { NaraError } from '../spec/errors.js';
import type { AuditSink, SignedProvenance } from '../spec/audit.js';
import { auditEventOf } from './audit-event.js';
import type { GatewayObserver, RequestRecord } from './events.js';
import type { RequestContext } from './request-context.js';

export interface AuditSettings {
  readonly sink: AuditSink;
  readonly onFailure: 'fail-closed' | 'fail-open';
  /** Sign a provenance manifest for every completion (`audit.provenance`). */
  readonly provenance: boolean;
}

export class AuditRecorder {
  constructor(
    private readonly settings: AuditSettings,
    private readonly observers: readonly GatewayObserver[],
  ) {}

  /** Throws `audit_unavailable` before any work when the log is known to be failing and policy is fail-closed. */
  checkAvailable(): void {
    const reason = this.settings.sink.unavailable();
    if (reason !== undefined && this.settings.onFailure === 'fail-closed') throw unavailableError(reason);
  }

  /**
   * Appends the event; in strict mode resolves once it is on disk. Rejects with `audit_unavailable`
   * (fail-closed) when it could not be written; under fail-open it resolves anyway.
   */
  async seal(record: RequestRecord, context: RequestContext): Promise<SignedProvenance | undefined> {
    const event = auditEventOf(record, context);
    const append = this.settings.sink.append(event);
    // Without a manifest to sign, a batched log need not be waited for.
    if (!this.settings.sink.durable && event.provenanceId === null) {
      append.catch((error: unknown) => this.failed(error));
      return undefined;
    }
    let leafIndex: number | null = null;
    try {
      leafIndex = await append;
    } catch (error) {
      this.failed(error);
      if (this.settings.onFailure === 'fail-closed') throw unavailableError(error instanceof Error ? error.message : String(error));
    }
    const attest = this.settings.sink.attest;
    if (event.provenanceId === null || attest === undefined || context.provenance === undefined) return undefined;
    return attest.call(this.settings.sink, {
      id: event.provenanceId,
      tenant: event.tenant,
      model: event.model,
      backend: event.backend,
      jurisdiction: event.jurisdiction,
      operator: context.candidate?.slot.config.operator ?? null,
      verdicts: event.stages,
      auditLeafIndex: leafIndex,
      text: context.provenance.text,
    });
  }

  /** Whether outputs get provenance manifests at all. */
  get attests(): boolean {
    return this.settings.provenance && this.settings.sink.attest !== undefined;
  }

  /** For requests that ended without a response to hold back (client gone, refused early): appended, not awaited. */
  record(record: RequestRecord, context: RequestContext): void {
    this.settings.sink.append(auditEventOf(record, context)).catch((error: unknown) => this.failed(error));
  }

  private failed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    for (const observer of this.observers) observer.onAuditFailed?.(reason, this.settings.onFailure === 'fail-open');
  }
}

function unavailableError(reason: string): NaraError {
  return new NaraError('audit_unavailable', `The audit log cannot record this request (${reason}), so it was not served. Retry shortly; the operator has been alerted.`, {
    retryAfterSeconds: 5,
  });
}
