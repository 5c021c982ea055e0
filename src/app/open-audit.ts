/** Opens the audit log named by the configuration, with its signing key (created on first start). */
import type { NaraConfig } from '../config/types.js';
import { AuditService } from '../store/audit/audit-service.js';
import type { AuditLeafObserver } from '../store/audit/file-audit-log.js';
import { naraVersion } from '../spec/version.js';

export function openAudit(config: NaraConfig, env: Readonly<Record<string, string | undefined>> = process.env, observer?: AuditLeafObserver): Promise<AuditService> {
  const audit = config.audit;
  return AuditService.open({
    dir: audit.dir,
    mode: audit.mode,
    segmentBytes: audit.segmentBytes,
    flushIntervalMs: audit.flushIntervalMs,
    origin: audit.origin,
    checkpointIntervalMs: audit.checkpointIntervalMs,
    signingKeyFile: audit.signingKeyFile,
    signingKeyEnv: audit.signingKeyEnv,
    env,
    generator: `nara/${naraVersion}`,
    observer,
  });
}
