/**
 * The one error catalogue. Every failure a client, an operator or an engine can see has a stable
 * code here, with its HTTP status, OpenAI error type and whether retrying can help.
 * `docs/errors.md` documents each entry; a test keeps the two in step.
 */

export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'server_error';

export interface CatalogueEntry {
  readonly status: number;
  readonly type: OpenAiErrorType;
  readonly retryable: boolean;
  /** What the code means, for the docs and for `nara --help` readers. */
  readonly summary: string;
}

export const errorCatalogue = {
  invalid_json: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'The request body is not valid JSON.',
  },
  invalid_request: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'A field is missing or has the wrong type; `param` names the field.',
  },
  unsupported_parameter: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'The chosen engine cannot honour a parameter (e.g. tools on the embedded engine).',
  },
  body_too_large: {
    status: 413,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'The request body is larger than `server.maxBodyBytes`.',
  },
  missing_api_key: {
    status: 401,
    type: 'authentication_error',
    retryable: false,
    summary: 'No `Authorization: Bearer <key>` header was sent.',
  },
  invalid_api_key: {
    status: 401,
    type: 'authentication_error',
    retryable: false,
    summary: 'The API key is unknown, or its tenant no longer exists in the configuration.',
  },
  api_key_revoked: {
    status: 401,
    type: 'authentication_error',
    retryable: false,
    summary: 'The API key was revoked with `nara keys revoke`.',
  },
  api_key_expired: {
    status: 401,
    type: 'authentication_error',
    retryable: false,
    summary: 'The API key passed its expiry time; issue a new one (`nara keys rotate` or `nara keys create`).',
  },
  requests_per_minute_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    retryable: true,
    summary: 'The tenant or key sent more requests this minute than its `requestsPerMinute` limit; `Retry-After` says when the minute ends.',
  },
  tokens_per_minute_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    retryable: true,
    summary: 'The tokens this request may use would pass the `tokensPerMinute` limit of the tenant or key.',
  },
  concurrent_requests_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    retryable: true,
    summary: 'The tenant or key already has `concurrentRequests` requests in flight.',
  },
  token_budget_exceeded: {
    status: 429,
    type: 'insufficient_quota',
    retryable: false,
    summary: 'The daily or monthly token budget of the tenant or key is spent; `Retry-After` says when the period ends.',
  },
  cost_budget_exceeded: {
    status: 429,
    type: 'insufficient_quota',
    retryable: false,
    summary: 'The daily or monthly spending budget of the tenant or key is spent; `Retry-After` says when the period ends.',
  },
  limits_unavailable: {
    status: 503,
    type: 'server_error',
    retryable: true,
    summary: 'The shared limit store (Redis) cannot be reached, so limits cannot be checked; the request is refused rather than let through unchecked (see `limits.failOpen`).',
  },
  admin_api_disabled: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'The admin API is off because no admin token is set (`admin.tokenEnv`, NARA_ADMIN_TOKEN by default).',
  },
  missing_admin_token: {
    status: 401,
    type: 'authentication_error',
    retryable: false,
    summary: 'An /admin request came without `Authorization: Bearer <admin token>`.',
  },
  invalid_admin_token: {
    status: 401,
    type: 'authentication_error',
    retryable: false,
    summary: 'The token sent to /admin is not the admin token (tenant API keys are never accepted there).',
  },
  forbidden_for_role: {
    status: 403,
    type: 'permission_error',
    retryable: false,
    summary: "The signed-in console user's role (operator, auditor, tenant admin) does not allow this request.",
  },
  csrf_header_missing: {
    status: 403,
    type: 'permission_error',
    retryable: false,
    summary: 'A change authenticated by the console session cookie came without the `x-nara-console: 1` header (cross-site request refused).',
  },
  session_expired: {
    status: 401,
    type: 'authentication_error',
    retryable: false,
    summary: 'The console session is unknown or past its end (sessions last `console.sessionHours`; a restart signs everyone out): sign in again.',
  },
  oidc_not_configured: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'Single sign-on was asked for, but `console.oidc` is not configured.',
  },
  oidc_failed: {
    status: 502,
    type: 'server_error',
    retryable: true,
    summary: 'The OpenID Connect provider could not be reached, or its answer (discovery, token, ID token) did not check out.',
  },
  oidc_invalid_callback: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'The sign-in callback had no matching login in progress (unknown or expired state, replayed code, provider error): start the sign-in again.',
  },
  oidc_no_role: {
    status: 403,
    type: 'permission_error',
    retryable: false,
    summary: "The signed-in user's claims map to no console role (`console.oidc.roleClaim`, `console.oidc.roles`).",
  },
  oidc_no_tenant: {
    status: 403,
    type: 'permission_error',
    retryable: false,
    summary: 'A tenant admin signed in without a tenant claim (`console.oidc.tenantClaim`), or with a tenant that does not exist.',
  },
  console_not_built: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'The console files are missing from this installation (dist/console): run `npm run build`.',
  },
  console_disabled: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'The web console is off (`console.enabled: false`).',
  },
  eval_run_not_found: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'No eval run with this name under `console.evalRunsDir`.',
  },
  tenant_not_found: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'No tenant has this id.',
  },
  tenant_exists: {
    status: 409,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'A tenant with this id already exists (in nara.yaml or in the store).',
  },
  tenant_config_managed: {
    status: 409,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'The tenant is declared in nara.yaml; change it there (its keys can still be managed).',
  },
  key_not_found: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'No API key has this id (for this tenant).',
  },
  store_unavailable: {
    status: 503,
    type: 'server_error',
    retryable: true,
    summary: 'The database holding tenants, keys and usage cannot be reached.',
  },
  route_not_found: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'No such endpoint.',
  },
  method_not_allowed: {
    status: 405,
    type: 'invalid_request_error',
    retryable: false,
    summary: 'The endpoint exists but not for this HTTP method.',
  },
  model_not_found: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'No configured back end serves a model of this name.',
  },
  model_not_allowed: {
    status: 403,
    type: 'permission_error',
    retryable: false,
    summary: "The tenant's `models` allow-list does not include this model.",
  },
  jurisdiction_not_allowed: {
    status: 403,
    type: 'permission_error',
    retryable: false,
    summary:
      "Every back end serving the model is in a jurisdiction the tenant's policy forbids; nothing was sent.",
  },
  pii_detected: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary:
      "The request carries personal data (the message names the types and counts, never the values) and the tenant's pii policy blocks it for every back end serving the model; nothing was sent.",
  },
  safety_blocked: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary:
      "The tenant's safety policy refused the prompt, or stopped the answer, for a hazard the error names (`hazard`, and `where`: input or output); the message is in the tenant's language and never quotes the flagged text.",
  },
  safety_unavailable: {
    status: 503,
    type: 'server_error',
    retryable: true,
    summary:
      "The tenant's guard model could not answer (down, too slow, or unreadable) and its policy fails closed; nothing was answered.",
  },
  pii_input_not_inspectable: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary:
      "The prompt is given as token ids, which cannot be checked for personal data, and the tenant's pii policy requires redacting, pseudonymising or blocking it; nothing was sent.",
  },
  audit_disabled: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'The audit endpoints were called on a server whose audit log is off (`audit.enabled: false`).',
  },
  audit_not_found: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    summary: 'No such leaf, request id or tree size in the audit log, or no checkpoint yet; the message says which.',
  },
  audit_unavailable: {
    status: 503,
    type: 'server_error',
    retryable: true,
    summary: 'The audit log cannot be written (disk full, unwritable), and `audit.onFailure` is fail-closed: the request was not served.',
  },
  no_healthy_backend: {
    status: 503,
    type: 'server_error',
    retryable: true,
    summary:
      'Back ends allowed by the policy exist but none is healthy or all failed; no cross-border fallback is made.',
  },
  backends_busy: {
    status: 503,
    type: 'server_error',
    retryable: true,
    summary: 'Every allowed back end is at its `maxConcurrency`.',
  },
  upstream_error: {
    status: 502,
    type: 'server_error',
    retryable: true,
    summary: 'The engine failed (connection refused or reset, 5xx) on every allowed candidate.',
  },
  upstream_timeout: {
    status: 504,
    type: 'server_error',
    retryable: true,
    summary: 'The engine did not answer within its configured timeout.',
  },
  upstream_rate_limited: {
    status: 429,
    type: 'rate_limit_error',
    retryable: true,
    summary: 'Every allowed engine answered 429.',
  },
  upstream_bad_response: {
    status: 502,
    type: 'server_error',
    retryable: false,
    summary: 'The engine answered with something that is not the OpenAI shape (e.g. malformed JSON).',
  },
  upstream_rejected: {
    status: 400,
    type: 'invalid_request_error',
    retryable: false,
    summary: "The engine refused the request as invalid (its 4xx); the engine's message is passed on.",
  },
  stream_interrupted: {
    status: 502,
    type: 'server_error',
    retryable: true,
    summary:
      'The engine failed or stalled after the stream began; the stream ends with this error event.',
  },
  client_closed_request: {
    status: 499,
    type: 'invalid_request_error',
    retryable: false,
    summary:
      'The client disconnected before the answer was complete; the engine call was cancelled. Never sent, only logged and counted.',
  },
  shutting_down: {
    status: 503,
    type: 'server_error',
    retryable: true,
    summary: 'Nara is draining for shutdown and takes no new requests.',
  },
  internal_error: {
    status: 500,
    type: 'server_error',
    retryable: true,
    summary: 'A bug in Nara. The log line with the same request id has the details.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface NaraErrorOptions {
  /** The request field at fault, OpenAI's `param`. */
  readonly param?: string | undefined;
  /** Extra, non-secret facts for logs and metrics (never prompt text). */
  readonly detail?: Readonly<Record<string, string | number | boolean>> | undefined;
  readonly cause?: unknown;
  /** Seconds a client should wait before retrying (sets `Retry-After`). */
  readonly retryAfterSeconds?: number | undefined;
  /**
   * Whether the router may try the next allowed candidate. Defaults to the catalogue's `retryable`;
   * engines set it false once the engine has started answering (no double generation).
   */
  readonly failover?: boolean | undefined;
}

/** An error that belongs to the catalogue. Anything else is wrapped once, at the edge. */
export class NaraError extends Error {
  readonly code: ErrorCode;
  readonly param: string | undefined;
  readonly detail: Readonly<Record<string, string | number | boolean>> | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly failover: boolean;

  constructor(code: ErrorCode, message: string, options: NaraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NaraError';
    this.code = code;
    this.param = options.param;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.failover = options.failover ?? errorCatalogue[code].retryable;
  }

  get status(): number {
    return errorCatalogue[this.code].status;
  }

  get retryable(): boolean {
    return errorCatalogue[this.code].retryable;
  }
}

/** The client went away: the one way every layer reports it (never sent, only logged and counted). */
export function clientClosedError(cause?: unknown): NaraError {
  return new NaraError('client_closed_request', 'The client closed the connection.', { cause });
}

/** Wrap anything thrown into the catalogue. Called once, at the HTTP edge. */
export function toNaraError(thrown: unknown): NaraError {
  if (thrown instanceof NaraError) return thrown;
  return new NaraError('internal_error', 'Internal error in Nara.', { cause: thrown });
}
