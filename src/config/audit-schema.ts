/**
 * The `audit` block of nara.yaml (the tamper-evident log and its signed checkpoints) and a tenant's
 * own `audit` fields (what content is kept, for how long).
 */
import { z } from 'zod';

/** Six months: the EU AI Act's minimum for deployers' logs (Article 26(6)). */
export const minimumRetentionDays = 183;

const contentMode = z.enum(['none', 'pseudonymised', 'full']);

export const tenantAuditInput = z
  .object({
    content: contentMode.optional().describe('What the audit event keeps of prompt and answer: none (digests only), pseudonymised, or full.'),
    retentionDays: z.number().int().positive().max(36_500).optional().describe("Days this tenant's events are kept (default audit.retentionDays)."),
    embedProvenance: z
      .boolean()
      .optional()
      .describe("Append the provenance id to this tenant's outputs as invisible Unicode variation selectors (default audit.embedProvenance)."),
  })
  .strict();

export const auditInput = z
  .object({
    enabled: z.boolean().default(true).describe('Record one audit event per request in a tamper-evident log. Off only where another system audits.'),
    mode: z
      .enum(['strict', 'batched'])
      .default('strict')
      .describe('strict: an event is on disk (fsync, group-committed) before its response completes. batched: fsync at least every flushIntervalMs.'),
    dir: z.string().optional().describe('Where segments and checkpoints live (default <dataDir>/audit).'),
    segmentBytes: z
      .number()
      .int()
      .min(4096)
      .default(64 * 1024 * 1024)
      .describe('A new segment file starts once the current one reaches this size.'),
    flushIntervalMs: z.number().int().positive().default(1000).describe('batched mode: the longest an acknowledged event waits for its fsync.'),
    onFailure: z
      .enum(['fail-closed', 'fail-open'])
      .default('fail-closed')
      .describe('When the log cannot be written (disk full, unwritable): refuse requests with 503 audit_unavailable, or serve them unaudited (logged and counted).'),
    origin: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\s+]+$/, { message: 'use a name without spaces or "+", e.g. nara.example.go.kr/audit' })
      .default('nara.local/audit')
      .describe('The log\'s name in its checkpoints (C2SP tlog-checkpoint origin) and the signing key\'s name: make it unique to this deployment.'),
    checkpointIntervalMs: z.number().int().positive().default(10_000).describe('How often a signed checkpoint is published when the log grew.'),
    signingKeyFile: z.string().optional().describe('PEM file of the Ed25519 signing key (default: generated into <dir>/signing-key.pem on first start, mode 0600).'),
    signingKeyEnv: z.string().optional().describe('Environment variable holding the Ed25519 signing key as PEM (instead of a file).'),
    retentionDays: z
      .number()
      .int()
      .min(minimumRetentionDays, { message: `keep audit events at least ${minimumRetentionDays} days (six months, the EU AI Act's minimum for deployers' logs)` })
      .default(365)
      .describe('Days events are kept; whole segments older than every tenant\'s retention are removed.'),
    content: contentMode.default('none').describe('Default for tenants: what events keep of prompt and answer.'),
    embedProvenance: z
      .boolean()
      .default(false)
      .describe('Default for tenants: append the provenance id to outputs as invisible variation selectors (off: invisible characters can surprise downstream software).'),
    provenance: z
      .boolean()
      .default(true)
      .describe('Sign a provenance manifest for every completion (an Ed25519 signature each: about 50 µs of CPU on a small VM).'),
  })
  .strict()
  .prefault({});
