/**
 * Structured JSON logs (pino). Secrets and prompt text never reach a log line: nothing logs
 * headers or bodies, and request records carry ids and counts, not content.
 */
import { pino, type Logger } from 'pino';
import type { GatewayObserver, RequestRecord } from '../gateway/events.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: 'nara' } };
  // Asynchronous stdout: under load, lines written while a write is in flight go out together
  // instead of one syscall each. `flushLogs` runs at shutdown; a crash can lose the last lines.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/** One line per finished request. */
export class RequestLog implements GatewayObserver {
  constructor(private readonly logger: Logger, private readonly enabled: boolean) {}

  onRequestEnd(record: RequestRecord): void {
    if (!this.enabled) return;
    const usage = record.usage;
    this.logger.info(
      {
        requestId: record.requestId,
        operation: record.operation,
        stream: record.stream,
        tenant: record.tenantId,
        key: record.keyId,
        model: record.model,
        backend: record.backendId,
        jurisdiction: record.jurisdiction,
        status: record.status,
        code: record.errorCode,
        attempts: record.attempts,
        ms: Math.round(record.durationSeconds * 1e4) / 10,
        upstreamMs: record.upstreamSeconds === undefined ? undefined : Math.round(record.upstreamSeconds * 1e4) / 10,
        promptTokens: usage?.promptTokens,
        completionTokens: usage?.completionTokens,
        cachedTokens: usage?.cachedTokens,
        tokensEstimated: usage?.estimated,
      },
      'request',
    );
  }

  onAttemptFailed(backendId: string, code: string, willFailover: boolean): void {
    this.logger.warn({ backend: backendId, code, failover: willFailover }, 'engine attempt failed');
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
