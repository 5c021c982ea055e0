/** The state of one request as it moves through the pipeline. */
import type { Principal } from '../spec/auth.js';
import type { Operation, TokenUsage } from '../spec/openai.js';
import type { StageRecord } from '../spec/stage.js';
import type { TenantConfig } from '../config/types.js';
import type { Candidate } from './routing-table.js';

export interface RequestContext {
  readonly requestId: string;
  readonly operation: Operation;
  /** process.hrtime.bigint() at arrival. */
  readonly startedAt: bigint;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  principal: Principal | undefined;
  tenant: TenantConfig | undefined;
  model: string | undefined;
  stream: boolean;
  /** Whether the client asked for the final usage chunk of a stream. */
  clientWantsUsage: boolean;
  candidate: Candidate | undefined;
  attempts: number;
  upstreamStartedAt: bigint | undefined;
  upstreamSeconds: number | undefined;
  usage: TokenUsage | undefined;
  readonly trail: StageRecord[];
}

export function createContext(requestId: string, operation: Operation, signal: AbortSignal): RequestContext {
  return {
    requestId,
    operation,
    startedAt: process.hrtime.bigint(),
    signal,
    principal: undefined,
    tenant: undefined,
    model: undefined,
    stream: false,
    clientWantsUsage: false,
    candidate: undefined,
    attempts: 0,
    upstreamStartedAt: undefined,
    upstreamSeconds: undefined,
    usage: undefined,
    trail: [],
  };
}

export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
