/**
 * The request pipeline: authenticate → parse → resolve-model → residency → pii → admit → route → relay.
 * Each stage returns a verdict and leaves a record on the request's trail; the first stop ends the
 * request with a catalogued error. Later capabilities (PII, safety, limits, audit) plug in as more
 * named stages here, without the HTTP layer or the engines knowing.
 */
import type { KeyIndex } from '../spec/auth.js';
import type { Limiter } from '../spec/limits.js';
import { byteEstimate, type TokenCounter } from '../spec/tokens.js';
import type { EngineCallOptions, StreamChunk } from '../spec/engine.js';
import { clientClosedError, NaraError, type ErrorCode } from '../spec/errors.js';
import type { EmbeddingRequest, GenerationRequest, Operation } from '../spec/openai.js';
import type { StageName, Verdict } from '../spec/stage.js';
import type { TenantConfig } from '../config/types.js';
import type { GatewayObserver, RequestRecord } from './events.js';
import type { SignedProvenance } from '../spec/audit.js';
import { secondsSince, type RequestContext } from './request-context.js';
import { routeWithFailover, type RouteSettings } from './router.js';
import type { Candidate, RoutingTable } from './routing-table.js';
import { actualUsage, costMicros, settle } from './metering.js';
import { admit, admitNow, limitScopes, reservationRequest, type Admission, type AdmitSettings } from './stages/admit.js';
import { authenticate } from './stages/authenticate.js';
import { parseRequest, type ParsedRequest } from './stages/parse-request.js';
import { guessLanguage } from '../safety/text-language.js';
import { requestTexts } from './pii/request-texts.js';
import { applyResidency } from './stages/residency.js';
import { applyPiiPolicy } from './stages/pii.js';
import { filterAnswerBody } from './pii/answer-filter.js';
import { formatCounts, type PiiPlan } from './pii/pii-plan.js';
import { PiiScopes } from './pii/pii-scopes.js';
import { AuditRecorder, type AuditSettings } from './audit-recorder.js';
import { resolveModel } from './stages/resolve-model.js';
import { relayStream } from './stream-relay.js';
import { checkJsonAnswer, StreamSafety } from './safety/answer-safety.js';
import { blockedError, checkPrompt, checkPromptLocally, newSafetyRecord, noteCheck, promptDecision, withGuard, type CheckInput, type SafetyCheck, type SafetyRecord } from './safety/safety-check.js';
import { completionTextOf, estimateUsage, promptTextsOf } from './token-estimator.js';

export type Answer =
  | { readonly kind: 'json'; readonly body: string }
  | { readonly kind: 'stream'; readonly chunks: AsyncIterable<StreamChunk> };

export interface GatewayOptions {
  /** Per-tenant and per-key limits; absent means nothing is limited (tests, embedding in other code). */
  readonly limits?: { readonly limiter: Limiter; readonly settings: () => AdmitSettings } | undefined;
  /** The tokenizer of a back end, for engines that report no usage. Defaults to the byte estimate. */
  readonly counterFor?: ((backendId: string) => TokenCounter) | undefined;
  /** The audit log; absent means requests are not audited (tests, embedding in other code). */
  readonly audit?: AuditSettings | undefined;
}

export class Gateway {
  private current: RoutingTable;
  private readonly routeSettings: RouteSettings;
  private readonly counterFor: (backendId: string) => TokenCounter;
  private piiScopes: PiiScopes;
  private readonly audit: AuditRecorder | undefined;

  constructor(
    table: RoutingTable,
    private readonly keys: KeyIndex,
    readonly observers: readonly GatewayObserver[],
    private readonly options: GatewayOptions = {},
  ) {
    this.counterFor = options.counterFor ?? (() => byteEstimate);
    this.current = table;
    this.piiScopes = new PiiScopes(table.config.pii.secret);
    this.audit = options.audit === undefined ? undefined : new AuditRecorder(options.audit, observers);
    this.routeSettings = {
      maxAttempts: table.config.routing.maxAttempts,
      currentTenant: (tenantId) => this.current.tenants.get(tenantId),
      currentSlot: (backendId) => this.current.slotById(backendId),
      observers,
    };
  }

  get table(): RoutingTable {
    return this.current;
  }

  /** Swaps in a reloaded configuration; requests already routed re-check policy on every attempt. */
  replaceTable(table: RoutingTable): void {
    if (table.config.pii.secret !== this.current.config.pii.secret) this.piiScopes = new PiiScopes(table.config.pii.secret);
    else this.piiScopes.prune();
    this.current = table;
    (this.routeSettings as { maxAttempts: number }).maxAttempts = table.config.routing.maxAttempts;
  }

  /** Stage "authenticate" on its own, for endpoints that need only the tenant (GET /v1/models). */
  authenticate(context: RequestContext, authorization: string | undefined): TenantConfig {
    const auth = this.check(context, 'authenticate', authenticate(authorization, this.keys, this.current.tenants));
    context.principal = auth.principal;
    context.tenant = auth.tenant;
    return auth.tenant;
  }

  async handle(context: RequestContext, authorization: string | undefined, body: Buffer): Promise<Answer> {
    const operation = context.operation;
    if (operation === 'models') throw new NaraError('internal_error', 'Gateway.handle serves the generation endpoints only.');
    const table = this.current;
    this.audit?.checkAvailable();
    // The HTTP adapter authenticates before reading the body; other callers leave it to this stage.
    const tenant = context.tenant ?? this.authenticate(context, authorization);
    const request = this.check(context, 'parse', parseRequest(operation, body));
    const model = this.check(context, 'resolve-model', resolveModel(request.model, tenant, table, context.principal?.keyModels));
    context.model = model;

    const residency = applyResidency(model, tenant, table);
    if (!residency.ok && residency.servedIn !== undefined) {
      for (const observer of this.observers) observer.onResidencyDenied?.(tenant.id, model, residency.servedIn);
    }
    const allowed = this.check(context, 'residency', residency, (decision) => `candidates=${decision.candidates.length} denied=${decision.deniedCount}`).candidates;
    const piiVerdict = applyPiiPolicy(tenant, model, allowed, request, this.piiScopes.scopeFor);
    context.pii = piiVerdict.ok ? piiVerdict.value.plan : piiVerdict.plan;
    const pii = this.check(context, 'pii', piiVerdict, (decision) => piiNote(decision.plan, allowed.length - decision.candidates.length));
    const candidates = pii.candidates;
    if (tenant.safety.enabled && operation !== 'embedding') await this.checkPrompt(context, table, tenant, request);
    const admitting = this.admit(context, tenant, request, candidates);
    if (admitting !== undefined) await admitting;

    // Every completion gets a signed provenance manifest; its id is fixed now so a stream's headers can name it.
    if (operation !== 'embedding' && this.audit?.attests === true) context.provenance = { id: `prov_${context.meterId}`, text: '', embed: tenant.audit.embedProvenance };
    if (operation === 'embedding') return this.json(context, operation, candidates, request, body);
    const generation = request as GenerationRequest;
    context.stream = generation.stream === true;
    if (!context.stream) return this.json(context, operation, candidates, request, body);
    context.clientWantsUsage = generation.stream_options?.include_usage === true;
    return this.stream(context, candidates, generation);
  }

  /**
   * Audits the request before its last bytes go out: the HTTP adapter awaits this, then writes them.
   * Throws `audit_unavailable` when a fail-closed log could not take the event.
   */
  async seal(context: RequestContext, status: number, errorCode: ErrorCode | undefined): Promise<SignedProvenance | undefined> {
    const record = this.record(context, status, errorCode);
    context.sealed = record;
    return this.audit?.seal(record, context);
  }

  /** Reports the end of a request to observers. Called by the HTTP adapter once the answer is sent. */
  finish(context: RequestContext, status: number, errorCode: ErrorCode | undefined): void {
    const sealed = context.sealed;
    const record = sealed !== undefined && sealed.status === status && sealed.errorCode === errorCode ? sealed : this.record(context, status, errorCode);
    if (this.options.limits !== undefined) {
      const price = context.candidate?.slot.config.cost;
      settle(this.options.limits.limiter, context.admission, actualUsage(context.usage, record.costMicros, price?.currency === context.tenant?.budgetCurrency));
    }
    // A request sealed with this outcome is in the log already; any other outcome is recorded now.
    if (record !== sealed) this.audit?.record(record, context);
    for (const observer of this.observers) observer.onRequestEnd?.(record);
  }

  private record(context: RequestContext, status: number, errorCode: ErrorCode | undefined): RequestRecord {
    const price = context.candidate?.slot.config.cost;
    const cost = price === undefined ? 0 : costMicros(context.usage, price);
    return {
      requestId: context.requestId,
      meterId: context.meterId,
      operation: context.operation,
      stream: context.stream,
      tenantId: context.tenant?.id,
      keyId: context.principal?.keyId,
      model: context.model,
      backendId: context.candidate?.id,
      jurisdiction: context.candidate?.jurisdiction,
      status,
      errorCode,
      attempts: context.attempts,
      durationSeconds: secondsSince(context.startedAt),
      upstreamSeconds: context.upstreamSeconds,
      usage: context.usage,
      costMicros: cost,
      // Requests no back end answered cost nothing, but keep the tenant's currency so reports do not split.
      currency: price?.currency ?? context.tenant?.budgetCurrency ?? this.current.config.backends[0]?.cost.currency,
      trail: context.trail,
      pii: context.pii === undefined ? undefined : { action: context.pii.served, entities: context.pii.counts, answerEntities: context.pii.answerCounts, answerAction: context.pii.answerMode },
      safety: safetySummaryOf(context.safety),
    };
  }

  private async json(context: RequestContext, operation: Operation, candidates: readonly Candidate[], request: ParsedRequest, body: Buffer): Promise<Answer> {
    const { value, candidate } = await this.route(context, candidates, async (candidate) => {
      context.candidate = candidate;
      const sentAt = process.hrtime.bigint();
      const upstreamRequest = withModel(context.pii?.requestFor(candidate.id, request) ?? request, candidate.upstreamModel);
      // Unchanged requests travel as the client's own bytes: no second serialisation of a long prompt.
      const rawBody = upstreamRequest === request ? body : undefined;
      const cancellation = context.cancellation;
      const options: EngineCallOptions = {
        // Created only if the engine reads it: the HTTP engine's JSON path uses onCancel instead.
        get signal() {
          return cancellation.signal;
        },
        onCancel: cancellation.onCancel,
        requestId: context.requestId,
        rawBody,
      };
      const result =
        operation === 'embedding'
          ? await candidate.slot.engine.doEmbed(upstreamRequest as EmbeddingRequest, options)
          : await candidate.slot.engine.doGenerate(operation, upstreamRequest as GenerationRequest, options);
      context.upstreamSeconds = secondsSince(sentAt);
      return result;
    });
    candidate.slot.inFlight -= 1;
    if (value.usage !== undefined) context.usage = value.usage;
    else {
      const counter = this.counterFor(candidate.id);
      context.usage = estimateUsage(promptTextsOf(request), counter.count(completionTextOf(JSON.parse(value.body))), operation === 'chat', counter);
    }
    const pii = context.pii;
    let answer = pii === undefined || operation === 'embedding' ? value.body : filterAnswerBody(value.body, pii);
    const answerRecord = operation === 'embedding' ? undefined : pii?.answerRecord();
    if (answerRecord !== undefined) context.trail.push(answerRecord);
    const safety = context.safety;
    if (safety !== undefined && context.tenant !== undefined) {
      await this.promptGuardVerdict(context);
      answer = await this.checkAnswer(context, safety, request, answer);
    }
    return { kind: 'json', body: candidate.rename.body(answer) };
  }

  private async stream(context: RequestContext, candidates: readonly Candidate[], request: GenerationRequest): Promise<Answer> {
    const operation = context.operation as 'chat' | 'completion';
    const { value, candidate } = await this.route(context, candidates, async (candidate) => {
      context.candidate = candidate;
      const sentAt = process.hrtime.bigint();
      const prepared = (context.pii?.requestFor(candidate.id, request) ?? request) as GenerationRequest;
      // Always ask the engine for usage so streams are metered; the relay drops the chunk if unwanted.
      const streamed = { ...prepared, stream: true, stream_options: { ...(prepared.stream_options ?? {}), include_usage: true } };
      const chunks = await candidate.slot.engine.doStream(operation, withModel(streamed, candidate.upstreamModel), {
        signal: context.cancellation.signal,
        requestId: context.requestId,
      });
      const rest = chunks[Symbol.asyncIterator]();
      try {
        const first = await rest.next();
        context.upstreamSeconds = secondsSince(sentAt);
        return { first, rest };
      } catch (thrown) {
        await rest.return?.().catch(() => undefined);
        // Nothing has reached the client yet, so another candidate may still answer.
        if (thrown instanceof NaraError && thrown.code !== 'client_closed_request') {
          throw new NaraError(thrown.code, thrown.message, { detail: thrown.detail, cause: thrown, failover: true });
        }
        throw thrown;
      }
    });
    const safety = context.safety;
    if (safety !== undefined && context.tenant !== undefined) {
      try {
        await this.promptGuardVerdict(context);
      } catch (error) {
        // Refused before anything was sent: the engine's stream is closed, the back end released.
        candidate.slot.inFlight -= 1;
        await value.rest.return?.().catch(() => undefined);
        throw error;
      }
    }
    const moderation = safety === undefined || context.tenant === undefined ? undefined : new StreamSafety(this.safetyInput(context, this.current, context.tenant, request), safety);
    return { kind: 'stream', chunks: relayStream({ context, candidate, first: value.first, rest: value.rest, request, counter: this.counterFor(candidate.id), safety: moderation }) };
  }

  /**
   * Stage "admit": skipped (and free) when neither the tenant nor the key has a limit. Returns
   * nothing when decided at once (the in-process limiter, usually), a promise when it must wait.
   */
  private admit(context: RequestContext, tenant: TenantConfig, request: ParsedRequest, candidates: readonly Candidate[]): Promise<void> | undefined {
    const limits = this.options.limits;
    const principal = context.principal;
    if (limits === undefined || principal === undefined) return undefined;
    const scopes = limitScopes(tenant, principal);
    if (scopes.length === 0) return undefined;
    const settings = limits.settings();
    const operation = context.operation;
    const reserve = reservationRequest(context.meterId, scopes, request, operation === 'chat', operation === 'embedding', candidates, tenant.budgetCurrency, settings.defaultMaxTokens);
    const now = admitNow(limits.limiter, reserve, tenant.budgetCurrency);
    if (now !== undefined) {
      this.admitted(context, now, reserve.tokens);
      return undefined;
    }
    return admit(limits.limiter, reserve, settings, tenant.budgetCurrency).then((verdict) => this.admitted(context, verdict, reserve.tokens));
  }

  private admitted(context: RequestContext, verdict: Verdict<Admission>, tokens: number): void {
    if (verdict.ok) {
      context.admission = verdict.value;
      // The client may have left while the limiter answered: give the reservation back at once.
      if (context.cancellation.aborted) throw clientClosedError();
    }
    this.check(context, 'admit', verdict, (admission) => (admission.kind === 'reserved' ? `tokens=${tokens}` : admission.kind));
  }

  private safetyInput(context: RequestContext, table: RoutingTable, tenant: TenantConfig, request: ParsedRequest): CheckInput {
    return new SafetyInput(table, tenant, request, context);
  }

  /**
   * Stage "safety": the prompt's local checks and guard model before anything is sent (or, with
   * safety.parallel, the guard running while the answer is generated, awaited before any of it goes out).
   */
  private async checkPrompt(context: RequestContext, table: RoutingTable, tenant: TenantConfig, request: ParsedRequest): Promise<void> {
    const policy = tenant.safety;
    const record = (context.safety = newSafetyRecord());
    const input = this.safetyInput(context, table, tenant, request);
    let check: SafetyCheck;
    try {
      if (policy.parallel && policy.guard?.input === true) {
        const local = checkPromptLocally(policy, request);
        check = { decision: promptDecision(local.decision), shadow: local.shadow };
        if (check.decision.action !== 'block') {
          context.safetyPending = withGuard(policy, 'input', local.findings, input);
          // Awaited before the answer goes out; a rejection is handled there.
          context.safetyPending.catch(() => undefined);
        }
      } else check = await checkPrompt(input);
    } catch (error) {
      context.trail.push({ stage: 'safety', ok: false, code: error instanceof NaraError ? error.code : 'internal_error', ...guardFailureNote(error) });
      throw error;
    }
    noteCheck(record, check);
    // The language is guessed only when something was found: it is for counting findings by language.
    const language = check.decision.hazards.length > 0 ? promptLanguage(request) : undefined;
    if (language !== undefined) context.promptLanguage = language;
    if (check.decision.action === 'block') {
      context.trail.push({ stage: 'safety', ok: false, code: 'safety_blocked', note: safetyNote(check, false, language) });
      throw blockedError(policy, check.decision, 'input');
    }
    context.trail.push({ stage: 'safety', ok: true, note: safetyNote(check, context.safetyPending !== undefined, language) });
  }

  /** With safety.parallel: the prompt's guard verdict, awaited before any of the answer goes out. */
  private async promptGuardVerdict(context: RequestContext): Promise<void> {
    const pending = context.safetyPending;
    const tenant = context.tenant;
    if (pending === undefined || tenant === undefined || context.safety === undefined) return;
    context.safetyPending = undefined;
    let check: SafetyCheck;
    try {
      check = await pending;
    } catch (error) {
      context.trail.push({ stage: 'safety', ok: false, code: error instanceof NaraError ? error.code : 'internal_error', note: `parallel ${guardFailureNote(error).note ?? ''}`.trim() });
      throw error;
    }
    noteCheck(context.safety, check);
    const decision = promptDecision(check.decision);
    if (decision.action === 'block') {
      context.trail.push({ stage: 'safety', ok: false, code: 'safety_blocked', note: `parallel ${safetyNote(check)}` });
      throw blockedError(tenant.safety, decision, 'input');
    }
  }

  /** Stage "safety-answer" for a whole answer. */
  private async checkAnswer(context: RequestContext, record: SafetyRecord, request: ParsedRequest, answer: string): Promise<string> {
    const tenant = context.tenant as TenantConfig;
    try {
      const checked = await checkJsonAnswer(this.safetyInput(context, this.current, tenant, request), record, answer);
      context.trail.push({ stage: 'safety-answer', ok: true, note: `action=${record.action} hazards=${[...record.hazards].join(',')}${languagePart(context, request, record.hazards.size > 0)}` });
      return checked;
    } catch (error) {
      context.trail.push({ stage: 'safety-answer', ok: false, code: error instanceof NaraError ? error.code : 'internal_error' });
      throw error;
    }
  }

  private check<T>(context: RequestContext, stage: StageName, verdict: Verdict<T>, note?: (value: T) => string): T {
    if (verdict.ok) {
      context.trail.push(note === undefined ? { stage, ok: true } : { stage, ok: true, note: note(verdict.value) });
      return verdict.value;
    }
    context.trail.push({ stage, ok: false, code: verdict.error.code });
    throw verdict.error;
  }

  /** Stage "route", with its record on the trail whichever way it ends. */
  private async route<T>(context: RequestContext, candidates: readonly Candidate[], attempt: (candidate: Candidate) => Promise<T>): Promise<{ value: T; candidate: Candidate }> {
    try {
      const routed = await routeWithFailover(context, candidates, this.routeSettings, attempt);
      context.trail.push({ stage: 'route', ok: true, note: `backend=${routed.candidate.id} attempts=${context.attempts}` });
      return routed;
    } catch (error) {
      const code = error instanceof NaraError ? error.code : 'internal_error';
      context.trail.push({ stage: 'route', ok: false, code, note: `attempts=${context.attempts}` });
      throw error;
    }
  }
}

function withModel<T extends { model: string }>(request: T, model: string): T {
  return request.model === model ? request : { ...request, model };
}

/** Why a guard failed, for the trail: back-end ids and error codes, never text. */
function guardFailureNote(error: unknown): { note?: string } {
  const reason = error instanceof NaraError ? error.detail?.reason : undefined;
  return typeof reason === 'string' ? { note: reason.slice(0, 200) } : {};
}

function safetySummaryOf(record: SafetyRecord | undefined): RequestRecord['safety'] {
  if (record === undefined) return undefined;
  return { action: record.action, hazards: [...record.hazards], shadowHazards: [...record.shadowHazards], guardSeconds: record.guardMs === undefined ? undefined : record.guardMs / 1000, failedOpen: record.failedOpen };
}

/** The "safety" stage's trail note: action, hazard ids and the guard's time, never text. */
function safetyNote(check: SafetyCheck, parallel = false, language?: string): string {
  const parts = [`action=${check.decision.action}`, `hazards=${check.decision.hazards.join(',')}`];
  if (language !== undefined) parts.push(`lang=${language}`);
  if (check.guard !== undefined) parts.push(`guard=${check.guard.ok ? `${check.guard.ms.toFixed(1)}ms` : 'failed'}`);
  if (check.failedOpen === true) parts.push('failed-open');
  if (parallel) parts.push('guard=parallel');
  if (check.shadow !== undefined && check.shadow.hazards.length > 0) parts.push(`shadow=${check.shadow.hazards.join(',')}`);
  return parts.join(' ');
}

/** ` lang=xx` for an answer's finding: the prompt's language (guessed now if the prompt had no finding). */
function languagePart(context: RequestContext, request: ParsedRequest, found: boolean): string {
  if (!found) return '';
  context.promptLanguage ??= promptLanguage(request);
  return ` lang=${context.promptLanguage}`;
}

function promptLanguage(request: ParsedRequest): string {
  return guessLanguage(requestTexts(request).texts.join('\n'));
}

/** The "pii" stage's trail note: counts and modes, never values. */
function piiNote(plan: PiiPlan | undefined, dropped: number): string {
  if (plan === undefined) return 'off';
  const note = `entities=${formatCounts(plan.counts)}`;
  const parts = [note];
  if (plan.tokenInput) parts.push('token-input');
  if (dropped > 0) parts.push(`candidates-dropped=${dropped}`);
  return parts.join(' ');
}

/**
 * What the safety checks of one request read. A class rather than an object literal with a getter:
 * it is made twice for every request with safety on, and a literal's accessor costs about a
 * microsecond to define each time.
 */
class SafetyInput implements CheckInput {
  readonly pii: RequestContext['pii'];
  readonly requestId: string;
  readonly #cancellation: RequestContext['cancellation'];

  constructor(
    readonly table: RoutingTable,
    readonly tenant: TenantConfig,
    readonly request: ParsedRequest,
    context: RequestContext,
  ) {
    this.pii = context.pii;
    this.requestId = context.requestId;
    this.#cancellation = context.cancellation;
  }

  /** Created only when a guard model is asked (its AbortController is not free). */
  get signal(): AbortSignal {
    return this.#cancellation.signal;
  }
}
