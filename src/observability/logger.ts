/**
 * Structured JSON logs (pino). Secrets and prompt text never reach a log line: nothing logs
 * headers or bodies, and request records carry ids and counts, not content.
 */
import { pino, type Logger } from 'pino';
import type { GatewayObserver, RequestRecord } from '../gateway/events.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Logging {
  readonly logger: Logger;
  /** Writes one ready-made JSON line (with its newline) to the same destination as `logger`. */
  readonly writeLine: (line: string) => void;
}

export function createLogging(level: LogLevel, destination?: NodeJS.WritableStream): Logging {
  // Asynchronous stdout: under load, lines written while a write is in flight go out together
  // instead of one syscall each. `flushLogs` runs at shutdown; a crash can lose the last lines.
  const stream = destination ?? pino.destination({ dest: 1, sync: false });
  const logger = pino({ level, base: { service: 'nara' } }, stream);
  return { logger, writeLine: (line) => void stream.write(line) };
}

/**
 * One line per finished request, in the same shape pino writes. Built by hand because pino's
 * generic serialisation of these 17 fields cost ~6.5 µs per request, a few percent of the budget.
 */
export class RequestLog implements GatewayObserver {
  private readonly logger: Logger;

  constructor(private readonly logging: Logging, private readonly enabled: boolean) {
    this.logger = logging.logger;
  }

  onRequestEnd(record: RequestRecord): void {
    if (!this.enabled || !this.logger.isLevelEnabled('info')) return;
    const usage = record.usage;
    let line = `{"level":30,"time":${Date.now()},"service":"nara","requestId":${text(record.requestId)},"operation":"${record.operation}","stream":${record.stream}`;
    // meterId is the requestId of the request's usage record (unique even when clients reuse x-request-id).
    if (record.tenantId !== undefined) line += `,"tenant":${text(record.tenantId)},"key":${text(record.keyId ?? '')},"meterId":"${record.meterId}"`;
    if (record.model !== undefined) line += `,"model":${text(record.model)}`;
    if (record.backendId !== undefined) line += `,"backend":${text(record.backendId)},"jurisdiction":${text(record.jurisdiction ?? '')}`;
    line += `,"status":${record.status}`;
    if (record.errorCode !== undefined) line += `,"code":"${record.errorCode}"`;
    line += `,"attempts":${record.attempts},"ms":${milliseconds(record.durationSeconds)}`;
    if (record.upstreamSeconds !== undefined) line += `,"upstreamMs":${milliseconds(record.upstreamSeconds)}`;
    if (usage !== undefined) {
      line += `,"promptTokens":${usage.promptTokens},"completionTokens":${usage.completionTokens},"cachedTokens":${usage.cachedTokens},"tokensEstimated":${usage.estimated}`;
    }
    const pii = record.pii;
    // Counts by type only: the values never reach a log.
    if (pii !== undefined) line += `,"pii":${JSON.stringify({ action: pii.action ?? 'none', entities: pii.entities, answerEntities: pii.answerEntities })}`;
    this.logging.writeLine(`${line},"msg":"request"}\n`);
  }

  onAttemptFailed(backendId: string, code: string, willFailover: boolean): void {
    this.logger.warn({ backend: backendId, code, failover: willFailover }, 'engine attempt failed');
  }

  onAuditFailed(reason: string, servedAnyway: boolean): void {
    this.logger.error({ reason, servedAnyway }, servedAnyway ? 'audit event lost (audit.onFailure: fail-open): request served unaudited' : 'audit log unavailable: request refused');
  }

  onResidencyDenied(tenantId: string, model: string, servedIn: readonly string[]): void {
    this.logger.info({ tenant: tenantId, model, servedIn }, 'residency denied');
  }

  onBackendHealth(backendId: string, healthy: boolean, reason: string | undefined): void {
    this.logger[healthy ? 'info' : 'warn']({ backend: backendId, healthy, reason }, 'back end health changed');
  }
}

/** Writes out buffered log lines (at shutdown). */
export function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

/** A JSON string literal; ids and names come from configuration and headers, so escape them. */
function text(value: string): string {
  return JSON.stringify(value);
}

function milliseconds(seconds: number): number {
  return Math.round(seconds * 1e4) / 10;
}
