/**
 * The shapes the console reads from Nara's HTTP API: sign-in, insights drawn from the audit log,
 * audit events, back ends and eval runs. Types only, so that the browser code (console/) and the
 * server agree on one contract without the browser importing anything that runs on the server.
 * Endpoints are listed in docs/console.md; every one answers errors in the usual catalogue shape.
 */

/** operator: everything. auditor: read-only audit, provenance, residency, safety. tenant_admin: one tenant. */
export type ConsoleRole = 'operator' | 'auditor' | 'tenant_admin';

export interface Principal {
  /** The admin token's holder is "admin"; an OIDC user is their `sub` claim. */
  readonly subject: string;
  readonly name?: string | undefined;
  readonly role: ConsoleRole;
  /** The only tenant a tenant admin sees and manages. */
  readonly tenant?: string | undefined;
  readonly via: 'token' | 'oidc';
}

/** GET /admin/v1/session (no credentials needed): who is signed in, and how one can sign in. */
export interface SessionAnswer {
  readonly signedIn: boolean;
  readonly principal?: Principal | undefined;
  /** Present when single sign-on is configured: where the browser goes to start it. */
  readonly oidc?: { readonly loginUrl: string; readonly label: string } | undefined;
  /** Session cookie lifetime end, ISO 8601. */
  readonly expiresAt?: string | undefined;
  /** Whether an admin token is set, i.e. whether the token sign-in form can work. */
  readonly tokenSignIn: boolean;
}

/** Common time window of insight queries: `from`/`to` are ISO 8601; the default is the last 24 hours. */
export interface TimeWindow {
  readonly from: string;
  readonly to: string;
}

/** Traffic figures of one time bucket or one group. Cost is per currency, in micro-units. */
export interface TrafficFigures {
  readonly requests: number;
  readonly errors: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly cost: Readonly<Record<string, number>>;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
}

export interface TrafficBucket extends TrafficFigures {
  /** Start of the bucket, ISO 8601. */
  readonly t: string;
}

export interface TrafficGroup extends TrafficFigures {
  /** The tenant, model or back end id ("(none)" for requests refused before one was known). */
  readonly key: string;
}

/** GET /admin/v1/insights/overview?from&to&bucket=minute|hour|day&tenant&model&backend */
export interface OverviewAnswer extends TimeWindow {
  readonly bucketSeconds: number;
  readonly series: readonly TrafficBucket[];
  readonly totals: TrafficFigures;
  /** Top 50 of each, by requests. */
  readonly byTenant: readonly TrafficGroup[];
  readonly byModel: readonly TrafficGroup[];
  readonly byBackend: readonly TrafficGroup[];
  /** Error codes by count. */
  readonly errorCodes: readonly { readonly code: string; readonly count: number }[];
  /** Events the insights cover in all (older ones beyond `console.insightsMaxEvents` are not counted). */
  readonly eventsIndexed: number;
}

export interface ResidencyTenant {
  readonly tenant: string;
  readonly home: string | null;
  /** Jurisdictions the tenant's policy allows today. */
  readonly allowed: readonly string[];
  readonly requests: number;
  readonly served: readonly { readonly jurisdiction: string; readonly requests: number; readonly crossBorder: boolean }[];
  readonly crossBorder: number;
  /** Requests refused because no allowed jurisdiction could serve them (jurisdiction_not_allowed). */
  readonly denials: number;
}

/** GET /admin/v1/insights/residency?from&to&tenant&q&offset&limit */
export interface ResidencyAnswer extends TimeWindow {
  readonly tenants: readonly ResidencyTenant[];
  readonly page: Page;
  /** Home jurisdiction → serving jurisdiction, over the tenants that match (not only this page). */
  readonly flows: readonly { readonly from: string; readonly to: string; readonly requests: number; readonly crossBorder: boolean }[];
  readonly totals: { readonly requests: number; readonly crossBorder: number; readonly denials: number };
}

/** GET /admin/v1/insights/safety?from&to&tenant: counts only, never a value or a prompt. */
export interface SafetyAnswer extends TimeWindow {
  readonly requests: number;
  readonly blocked: number;
  readonly redacted: number;
  /** `where`: the prompt ("request") or the answer. `language`: the script-detected language of the text checked, "und" when unknown. */
  readonly hazards: readonly { readonly hazard: string; readonly language: string; readonly action: string; readonly where: 'request' | 'answer'; readonly count: number }[];
  /** PII entities found; `language` is the entity type's country's language ("und" for e-mail, IP, cards…). */
  readonly pii: readonly { readonly entity: string; readonly language: string; readonly where: 'request' | 'answer'; readonly count: number }[];
}

export interface Page {
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
}

/** One line of the audit event list (the full event is fetched by index). */
export interface AuditEventSummary {
  readonly index: number;
  readonly time: string;
  readonly requestId: string;
  readonly tenant: string | null;
  readonly model: string | null;
  readonly backend: string | null;
  readonly jurisdiction: string | null;
  readonly crossBorder: boolean;
  readonly status: number;
  readonly code: string | null;
  readonly latencyMs: number;
}

/** GET /admin/v1/audit/events?tenant&requestId&outcome=ok|error&before=<index>&limit (newest first) */
export interface AuditEventList {
  readonly data: readonly AuditEventSummary[];
  /** Pass as `before` for the next (older) page; null at the end. */
  readonly nextBefore: number | null;
  /** Events that match the filter. */
  readonly total: number;
}

/** GET /admin/v1/audit/events/{index}: the leaf exactly as stored, for hashing in the browser. */
export interface AuditEventDetail {
  readonly index: number;
  /** The leaf's bytes, base64 (RFC 9162 leaf hash = SHA-256(0x00 ‖ bytes)). */
  readonly leaf: string;
  /** The same leaf parsed: `i`, `prev` and the event's fields. */
  readonly event: Readonly<Record<string, unknown>>;
}

/** GET /admin/v1/backends */
export interface BackendView {
  readonly id: string;
  readonly engine: string;
  readonly jurisdiction: string;
  readonly region: string | null;
  readonly operator: string | null;
  readonly accelerator: string | null;
  readonly models: readonly string[];
  readonly healthy: boolean;
  readonly healthReason: string | null;
  readonly circuit: 'closed' | 'open' | 'half-open';
  readonly inFlight: number;
  readonly maxConcurrency: number;
  readonly price: { readonly inputPer1M: number; readonly outputPer1M: number; readonly currency: string };
  /** From the audit log over the last hour. */
  readonly lastHour: { readonly requests: number; readonly errors: number; readonly latencyP50Ms: number | null; readonly latencyP95Ms: number | null };
}

/** GET /admin/v1/eval/runs */
export interface EvalRunSummary {
  readonly id: string;
  readonly startedAt: string | null;
  readonly tasks: readonly string[];
  readonly endpoints: readonly string[];
  readonly instances: number;
}

/** GET /admin/v1/eval/runs/{id}: scores per task and endpoint (95% intervals). */
export interface EvalRunDetail extends EvalRunSummary {
  readonly results: readonly {
    readonly task: string;
    readonly endpoint: string;
    readonly language: string | null;
    readonly metric: string;
    readonly score: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly answered: number;
    readonly failed: number;
    readonly refused: number;
  }[];
}

/** GET /admin/v1/eval/compare?a=<run>&b=<run>: paired comparison per task and shared endpoint. */
export interface EvalComparison {
  readonly a: string;
  readonly b: string;
  readonly rows: readonly {
    readonly task: string;
    readonly endpoint: string;
    readonly metric: string;
    readonly scoreA: number | null;
    readonly scoreB: number | null;
    readonly difference: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly significant: boolean;
  }[];
}
