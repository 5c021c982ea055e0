/**
 * Structured JSON logs (pino). Secrets and prompt text never reach a log line: authorization and
 * engine headers are redacted by path, and request records carry counts, not content.
 */
import { pino, type Logger } from 'pino';
import type { GatewayObserver, RequestRecord } from '../gateway/events.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'nara' },
    redact: { paths: ['headers.authorization', '*.headers.authorization', 'apiKey', '*.apiKey'], censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
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
