/**
 * Asking one endpoint: chat completions (and prompt log-probabilities where the server offers them,
 * as vLLM does through the completions API with `echo`), over a keep-alive connection pool sized to
 * the endpoint's concurrency, with its rate limit, a timeout per request and retries with
 * exponential backoff (Retry-After honoured) for what retrying can fix: 429, 5xx, network errors and
 * timeouts. Everything else comes back as a per-instance error; the run goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { ChatMessage } from '../eval/instances.js';
import type { EndpointSpec } from './endpoint.js';

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export type Reply =
  | { readonly ok: true; readonly text: string; readonly usage: Usage | undefined; readonly latencyMs: number; readonly attempts: number; readonly finishReason: string | undefined; readonly nara: NaraVerdict | undefined }
  | { readonly ok: false; readonly error: string; readonly kind: 'timeout' | 'http' | 'network' | 'junk' | 'refused'; readonly status: number | undefined; readonly latencyMs: number; readonly attempts: number; readonly nara: NaraVerdict | undefined };

/** What a Nara said about the request (--via): its safety action and hazards, and a refusal's code. */
export interface NaraVerdict {
  readonly safetyAction: string | undefined;
  readonly hazards: readonly string[];
  readonly refusedWith: string | undefined;
}

const retryBaseMs = 250;
const maxRetryAfterMs = 10_000;

class RateLimiter {
  readonly #interval: number;
  #next = 0;

  constructor(perSecond: number) {
    this.#interval = 1000 / perSecond;
  }

  /** Waits for this request's turn; ends at once (false) when the run is aborted, so Ctrl-C is not held up by a queue of turns. */
  async take(signal: AbortSignal | undefined): Promise<boolean> {
    const now = performance.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#interval;
    return at > now ? pause(at - now, signal) : signal?.aborted !== true;
  }
}

/** Sleeps `ms`, or less when `signal` aborts; true when it slept the whole time. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return false;
  try {
    await sleep(ms, undefined, signal === undefined ? undefined : { signal });
    return true;
  } catch (error) {
    // Only the abort ends a sleep early; anything else is a bug to surface.
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  }
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, maxRetryAfterMs);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), maxRetryAfterMs);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function naraVerdict(headers: Record<string, string | string[] | undefined>, refusedWith: string | undefined): NaraVerdict | undefined {
  const action = header(headers, 'x-nara-safety-action');
  if (action === undefined && refusedWith === undefined) return undefined;
  const hazards = (header(headers, 'x-nara-safety-categories') ?? '').split(',').filter((hazard) => hazard !== '');
  return { safetyAction: action, hazards, refusedWith };
}

interface Exchange {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export class EndpointClient {
  readonly spec: EndpointSpec;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #limiter: RateLimiter | undefined;

  constructor(spec: EndpointSpec) {
    this.spec = spec;
    const url = new URL(spec.url);
    this.#pool = new Pool(url.origin, { connections: spec.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
    this.#path = url.pathname.replace(/\/+$/, '');
    this.#limiter = spec.ratePerSecond === undefined ? undefined : new RateLimiter(spec.ratePerSecond);
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async chat(messages: readonly ChatMessage[], settings: { maxTokens: number; temperature: number; seed: number | undefined }, signal?: AbortSignal): Promise<Reply> {
    const body = JSON.stringify({ model: this.spec.model, messages, max_tokens: settings.maxTokens, temperature: settings.temperature, ...(settings.seed === undefined ? {} : { seed: settings.seed }) });
    return this.#ask('/chat/completions', body, signal, readChat);
  }

  /**
   * Total log-probability of `continuation` after `context`: the completions API with `echo` and
   * `logprobs` returns the prompt's tokens with their log-probabilities and character offsets.
   * vLLM's offsets index the detokenised text as Python does — in code points — while a JavaScript
   * string's length counts UTF-16 units, two for an emoji or a CJK Extension B character: the
   * boundary is counted in code points, or every such character before it would shift it.
   */
  async continuationLogprob(context: string, continuation: string, signal?: AbortSignal): Promise<Reply> {
    const body = JSON.stringify({ model: this.spec.model, prompt: context + continuation, max_tokens: 1, temperature: 0, echo: true, logprobs: 1 });
    const from = codePoints(context);
    return this.#ask('/completions', body, signal, (parsed) => readEchoLogprobs(parsed, from, from + codePoints(continuation)));
  }

  async #ask(path: string, body: string, signal: AbortSignal | undefined, read: (parsed: unknown) => { text: string; usage: Usage | undefined; finishReason: string | undefined } | string): Promise<Reply> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    let lastError: Reply | undefined;
    const cancelled = (attempts: number): Reply => ({ ok: false, error: 'cancelled', kind: 'network', status: undefined, latencyMs: elapsed(), attempts, nara: undefined });
    for (let attempt = 1; attempt <= this.spec.maxRetries + 1; attempt += 1) {
      if (this.#limiter !== undefined && !(await this.#limiter.take(signal))) return cancelled(attempt - 1);
      let exchange: Exchange;
      try {
        exchange = await this.#exchange(path, body, signal);
      } catch (error) {
        if (signal?.aborted === true) return cancelled(attempt);
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'HeadersTimeoutError' || error.name === 'BodyTimeoutError');
        lastError = { ok: false, error: timedOut ? `no answer within ${this.spec.timeoutMs} ms` : networkMessage(error), kind: timedOut ? 'timeout' : 'network', status: undefined, latencyMs: elapsed(), attempts: attempt, nara: undefined };
        if (!(await this.#backoff(attempt, undefined, signal))) return cancelled(attempt);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(exchange.body);
      } catch {
        parsed = undefined;
      }
      if (exchange.status === 200) {
        if (parsed === undefined) return { ok: false, error: `the answer is not JSON (${JSON.stringify(exchange.body.slice(0, 60))})`, kind: 'junk', status: 200, latencyMs: elapsed(), attempts: attempt, nara: naraVerdict(exchange.headers, undefined) };
        const reading = read(parsed);
        if (typeof reading === 'string') return { ok: false, error: reading, kind: 'junk', status: 200, latencyMs: elapsed(), attempts: attempt, nara: naraVerdict(exchange.headers, undefined) };
        return { ok: true, text: reading.text, usage: reading.usage, finishReason: reading.finishReason, latencyMs: elapsed(), attempts: attempt, nara: naraVerdict(exchange.headers, undefined) };
      }
      const code = errorCode(parsed);
      // A Nara refusing on policy (safety, PII, residency) answered: the model as this tenant sees it refuses.
      if (this.spec.via && exchange.status < 500 && code !== undefined && /^(safety_blocked|pii_detected|model_not_allowed|no_backend_in_jurisdiction)$/.test(code)) {
        return { ok: false, error: code, kind: 'refused', status: exchange.status, latencyMs: elapsed(), attempts: attempt, nara: naraVerdict(exchange.headers, code) };
      }
      lastError = { ok: false, error: `HTTP ${exchange.status}${code === undefined ? '' : ` ${code}`}: ${errorMessage(parsed) ?? exchange.body.slice(0, 120)}`, kind: 'http', status: exchange.status, latencyMs: elapsed(), attempts: attempt, nara: naraVerdict(exchange.headers, undefined) };
      if (exchange.status !== 429 && exchange.status < 500) return lastError;
      if (!(await this.#backoff(attempt, retryAfterMs(exchange.headers['retry-after']), signal))) return cancelled(attempt);
    }
    return lastError ?? { ok: false, error: 'no attempt made', kind: 'network', status: undefined, latencyMs: elapsed(), attempts: 0, nara: undefined };
  }

  /** Waits before the next attempt; false when the run was aborted meanwhile (the wait ends at once: a Retry-After of 10 s must not hold up Ctrl-C). */
  async #backoff(attempt: number, retryAfter: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (attempt > this.spec.maxRetries) return signal?.aborted !== true;
    // Exponential with full jitter, so a crowd of workers does not retry in step.
    const wait = retryAfter ?? Math.random() * retryBaseMs * 2 ** (attempt - 1);
    return pause(wait, signal);
  }

  async #exchange(path: string, body: string, signal: AbortSignal | undefined): Promise<Exchange> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.spec.key !== undefined) headers.authorization = `Bearer ${this.spec.key}`;
    const response = await this.#pool.request({
      method: 'POST',
      path: `${this.#path}${path}`,
      headers,
      body,
      headersTimeout: this.spec.timeoutMs,
      bodyTimeout: this.spec.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
    });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  }
}

function errorCode(parsed: unknown): string | undefined {
  const code = (parsed as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(parsed: unknown): string | undefined {
  const message = (parsed as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message.slice(0, 200) : undefined;
}

function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  const code = (error as NodeJS.ErrnoException).code ?? (cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined);
  return code === undefined ? error.message : `${error.message} (${code})`;
}

function readChat(parsed: unknown): { text: string; usage: Usage | undefined; finishReason: string | undefined } | string {
  const choice = (parsed as { choices?: { message?: { content?: unknown }; text?: unknown; finish_reason?: unknown }[] }).choices?.[0];
  const content = choice?.message?.content ?? choice?.text;
  if (typeof content !== 'string' && content !== null) return 'the answer has no choices[0].message.content';
  const usage = (parsed as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }).usage;
  return {
    text: content ?? '',
    usage: typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number' ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } : undefined,
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined,
  };
}

/** Length in code points, the unit of vLLM's text_offset (Python string indices). */
function codePoints(text: string): number {
  return [...text].length;
}

/** Sums the log-probabilities of the echoed tokens starting in [from, to) code points — the continuation, not the generated token after it. */
function readEchoLogprobs(parsed: unknown, from: number, to: number): { text: string; usage: Usage | undefined; finishReason: string | undefined } | string {
  const logprobs = (parsed as { choices?: { logprobs?: { token_logprobs?: unknown; text_offset?: unknown } }[] }).choices?.[0]?.logprobs;
  const values = logprobs?.token_logprobs;
  const offsets = logprobs?.text_offset;
  if (!Array.isArray(values) || !Array.isArray(offsets) || values.length !== offsets.length) return 'the endpoint returned no prompt log-probabilities (echo + logprobs): use output multiple_choice instead';
  let sum = 0;
  let counted = 0;
  values.forEach((value: unknown, index) => {
    const offset = offsets[index] as unknown;
    if (typeof offset === 'number' && offset >= from && offset < to && typeof value === 'number') {
      sum += value;
      counted += 1;
    }
  });
  if (counted === 0) return 'no tokens of the choice among the returned log-probabilities';
  return { text: String(sum), usage: undefined, finishReason: undefined };
}
