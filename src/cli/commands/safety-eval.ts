/**
 * `nara safety eval --url URL --key KEY --model M --prompts FILE...`: sends a prompt set through a
 * RUNNING Nara as one tenant and measures what that tenant's safety configuration does: how many
 * harmful prompts it blocks (per hazard, per language), how many benign ones it refuses, and what
 * the guard costs in latency. Going over HTTP with a real key, rather than calling the safety code
 * in-process, measures exactly the deployed policy, guard model and back end together.
 *
 * Exit code: 0 when every prompt got a verdict, 1 when some did not (the report is still written;
 * the rates leave those prompts out), UsageError for bad flags or prompt files.
 */
import { stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../cli-error.js';
import { readPromptSets, type EvalPrompt } from './prompt-sets.js';
import { formatMs, formatRate, hazardLabels, summarize, type BlockKind, type PromptResult, type SafetyEvalSummary } from './safety-eval-stats.js';
import { renderHtmlReport } from './safety-report-html.js';

export interface SafetyEvalFlags {
  url: string;
  key: string;
  prompts: string[];
  model: string;
  concurrency?: string;
  html?: string;
  json?: boolean;
  maxTokens?: string;
  timeoutMs?: string;
}

interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

interface Settings {
  readonly endpoint: string;
  readonly key: string;
  readonly model: string;
  readonly concurrency: number;
  readonly maxTokens: number;
  readonly timeoutMs: number;
}

/** Retries after the first attempt, for network errors and 429/502/503 (never for a safety verdict). */
const maxRetries = 3;
const retryBaseMs = 250;
/** A Retry-After longer than this is not waited out: the run would stall on one prompt. */
const maxRetryAfterMs = 10_000;
/** After this many prompts in a row could not reach Nara at all, stop sending: it is down or the URL is wrong. */
const unreachableAfter = 5;

function positiveInteger(raw: string | undefined, flag: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `http://host:8080`, `http://host:8080/` and `http://host:8080/v1` all mean the same Nara. */
function chatEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be Nara's base URL, e.g. http://127.0.0.1:8080, not ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, not ${url.protocol}`);
  const base = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${base}/v1/chat/completions`;
}

async function checkHtmlTarget(file: string): Promise<void> {
  const folder = dirname(file);
  const isFolder = await stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );
  // Checked before the run, not after: finding out at the end of an hour of requests is too late.
  if (!isFolder) throw new UsageError(`--html ${file}: folder ${folder} does not exist`);
}

function parseSettings(flags: SafetyEvalFlags): Settings {
  if (flags.key.trim() === '') throw new UsageError('--key must be a Nara API key of the tenant to evaluate');
  if (flags.model.trim() === '') throw new UsageError('--model must name a model the tenant may use');
  return {
    endpoint: chatEndpoint(flags.url),
    key: flags.key.trim(),
    model: flags.model,
    concurrency: positiveInteger(flags.concurrency, '--concurrency', 8, 256),
    maxTokens: positiveInteger(flags.maxTokens, '--max-tokens', 64, 1_000_000),
    timeoutMs: positiveInteger(flags.timeoutMs, '--timeout-ms', 60_000, 3_600_000),
  };
}

// ---------------------------------------------------------------- one request

interface SafetyHeaders {
  readonly action?: string;
  readonly categories: readonly string[];
  readonly guardMs?: number;
}

type Attempt =
  | { readonly kind: 'network'; readonly message: string }
  | { readonly kind: 'timeout'; readonly message: string }
  | { readonly kind: 'response'; readonly status: number; readonly body: unknown; readonly text: string; readonly headers: SafetyHeaders; readonly retryAfterMs?: number };

function safetyHeaders(headers: Headers): SafetyHeaders {
  const action = headers.get('x-nara-safety-action') ?? undefined;
  const categories = (headers.get('x-nara-safety-categories') ?? '')
    .split(',')
    .map((category) => category.trim())
    .filter((category) => category !== '');
  const rawMs = headers.get('x-nara-safety-guard-ms');
  const guardMs = rawMs === null || rawMs.trim() === '' ? Number.NaN : Number(rawMs);
  return { ...(action !== undefined ? { action } : {}), categories, ...(Number.isFinite(guardMs) && guardMs >= 0 ? { guardMs } : {}) };
}

function retryAfter(headers: Headers): number | undefined {
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, maxRetryAfterMs);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), maxRetryAfterMs);
}

/** "fetch failed: ECONNREFUSED": undici hides the useful part in `cause`. */
function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message}: ${code ?? cause.message}`;
  }
  return error.message;
}

async function send(settings: Settings, prompt: string): Promise<Attempt> {
  const body = { model: settings.model, messages: [{ role: 'user', content: prompt }], max_tokens: settings.maxTokens, temperature: 0 };
  try {
    // One signal for the headers and the body: a server that stalls mid-answer times out too.
    const response = await fetch(settings.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${settings.key}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const wait = retryAfter(response.headers);
    return { kind: 'response', status: response.status, body: parsed, text, headers: safetyHeaders(response.headers), ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return { kind: 'timeout', message: `no answer within ${settings.timeoutMs} ms` };
    }
    return { kind: 'network', message: networkMessage(error) };
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

interface OpenAiError {
  readonly code?: string;
  readonly message?: string;
  readonly hazard?: string;
  readonly where?: 'input' | 'output';
}

function errorOf(body: unknown): OpenAiError {
  const error = record(record(body)?.error);
  if (error === undefined) return {};
  const where = error.where === 'input' || error.where === 'output' ? error.where : undefined;
  const code = stringOf(error.code);
  const message = stringOf(error.message);
  const hazard = stringOf(error.hazard);
  return { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}), ...(hazard !== undefined ? { hazard } : {}), ...(where !== undefined ? { where } : {}) };
}

function finishReason(body: unknown): unknown {
  const choices = record(body)?.choices;
  return Array.isArray(choices) ? record(choices[0])?.finish_reason : undefined;
}

/** The verdict a response carries, or 'retry', or an error message. */
type Verdict =
  | { readonly outcome: 'blocked'; readonly blockKind: BlockKind; readonly category?: string; readonly where?: 'input' | 'output' }
  | { readonly outcome: 'answered' }
  | { readonly outcome: 'error'; readonly error: string; readonly retry: boolean };

function verdictOf(attempt: Extract<Attempt, { kind: 'response' }>): Verdict {
  const { status, body, headers } = attempt;
  const error = errorOf(body);
  const category = error.hazard ?? headers.categories[0];
  const named = category !== undefined ? { category } : {};
  if (status === 200) {
    if (record(body) === undefined) return { outcome: 'error', error: 'HTTP 200 with a body that is not a JSON object', retry: false };
    // An answer cut or redacted by safety: by definition about the output.
    if (finishReason(body) === 'content_filter') return { outcome: 'blocked', blockKind: 'content_filter', ...named, where: 'output' };
    return { outcome: 'answered' };
  }
  if (status === 400 && error.code === 'safety_blocked') {
    return { outcome: 'blocked', blockKind: 'safety_blocked', ...named, ...(error.where !== undefined ? { where: error.where } : {}) };
  }
  // The guard is down and the tenant fails closed: a block, but one the report must keep apart.
  if (status === 503 && error.code === 'safety_unavailable') {
    return { outcome: 'blocked', blockKind: 'safety_unavailable', ...named, ...(error.where !== undefined ? { where: error.where } : {}) };
  }
  const detail = error.message ?? (attempt.text.trim().slice(0, 200) || 'no body');
  return { outcome: 'error', error: `HTTP ${status}${error.code !== undefined ? ` ${error.code}` : ''}: ${detail}`, retry: status === 429 || status === 502 || status === 503 };
}

function backoff(retry: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  // Jitter keeps a pool of workers that hit one 429 together from retrying together.
  return retryBaseMs * 2 ** retry * (0.75 + Math.random() * 0.5);
}

interface Evaluated {
  readonly result: PromptResult;
  /** Whether any attempt got an HTTP response (so Nara is reachable). */
  readonly reached: boolean;
}

async function evaluate(settings: Settings, prompt: EvalPrompt): Promise<Evaluated> {
  const started = performance.now();
  const base = { file: prompt.file, line: prompt.line, prompt: prompt.prompt, language: prompt.language, hazard: prompt.hazard, benign: prompt.benign };
  let reached = false;
  for (let attempt = 0; ; attempt += 1) {
    const sent = await send(settings, prompt.prompt);
    const latencyMs = performance.now() - started;
    const attempts = attempt + 1;
    let retryable: boolean;
    let message: string;
    let wait: number | undefined;
    if (sent.kind === 'response') {
      reached = true;
      const verdict = verdictOf(sent);
      const { headers } = sent;
      const seen = {
        ...(headers.action !== undefined ? { action: headers.action } : {}),
        ...(headers.categories.length > 0 ? { categories: headers.categories } : {}),
        ...(headers.guardMs !== undefined ? { guardMs: headers.guardMs } : {}),
      };
      if (verdict.outcome === 'blocked') {
        const { outcome, blockKind, category, where } = verdict;
        return { reached, result: { ...base, outcome, blockKind, ...(category !== undefined ? { category } : {}), ...(where !== undefined ? { where } : {}), ...seen, latencyMs, attempts } };
      }
      if (verdict.outcome === 'answered') return { reached, result: { ...base, outcome: 'answered', ...seen, latencyMs, attempts } };
      retryable = verdict.retry;
      message = verdict.error;
      wait = sent.retryAfterMs;
    } else {
      // A timeout is not retried: with a 60 s limit, three more tries would stall the run for minutes.
      retryable = sent.kind === 'network';
      message = sent.message;
    }
    if (!retryable || attempt >= maxRetries) {
      return { reached, result: { ...base, outcome: 'error', error: attempt > 0 ? `${message} (after ${attempts} attempts)` : message, latencyMs, attempts } };
    }
    await sleep(backoff(attempt, wait));
  }
}

// ---------------------------------------------------------------- the run

async function runAll(settings: Settings, prompts: readonly EvalPrompt[], progress: (done: number) => void): Promise<PromptResult[]> {
  const results: (PromptResult | undefined)[] = new Array<PromptResult | undefined>(prompts.length).fill(undefined);
  let next = 0;
  let done = 0;
  let unreachableInARow = 0;
  let giveUp: string | undefined;
  const worker = async (): Promise<void> => {
    while (giveUp === undefined && next < prompts.length) {
      const index = next;
      next += 1;
      const prompt = prompts[index];
      if (prompt === undefined) continue;
      const { result, reached } = await evaluate(settings, prompt);
      results[index] = result;
      done += 1;
      progress(done);
      unreachableInARow = reached ? 0 : unreachableInARow + 1;
      if (unreachableInARow >= unreachableAfter && giveUp === undefined) giveUp = `not sent: ${unreachableInARow} prompts in a row could not reach ${settings.endpoint}`;
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, prompts.length) }, () => worker()));
  return prompts.map(
    (prompt, index) =>
      results[index] ?? {
        file: prompt.file,
        line: prompt.line,
        prompt: prompt.prompt,
        language: prompt.language,
        hazard: prompt.hazard,
        benign: prompt.benign,
        outcome: 'error',
        error: giveUp ?? 'not sent',
        latencyMs: 0,
        attempts: 0,
      },
  );
}

/** A counter on stderr for long runs, only on a terminal so pipes and logs stay clean. */
function progressReporter(err: NodeJS.WritableStream, total: number): { tick: (done: number) => void; end: () => void } {
  const tty = (err as NodeJS.WritableStream & { isTTY?: boolean }).isTTY === true;
  let shown = -1;
  return {
    tick: (done) => {
      const percent = Math.floor((done / total) * 100);
      if (!tty || percent === shown) return;
      shown = percent;
      err.write(`\r${done}/${total} prompts (${percent}%)`);
    },
    end: () => {
      if (tty && shown >= 0) err.write('\n');
    },
  };
}

// ---------------------------------------------------------------- output

/** Plain aligned columns: text left, numbers (columns named in `right`) right. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (right.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function hazardTitle(hazard: string): string {
  const name = hazardLabels[hazard];
  return name === undefined ? hazard : `${hazard} (${name})`;
}

function textReport(summary: SafetyEvalSummary, settings: Settings): string {
  const { totals } = summary;
  const lines: string[] = [];
  lines.push(`Nara safety evaluation: ${totals.prompts} prompts to ${settings.model} via ${settings.endpoint}`);
  lines.push(
    `  harmful ${totals.harmful}, benign ${totals.benign}; blocked ${totals.blocked} (refused ${totals.safetyBlocked}, content filter ${totals.contentFiltered}, guard unavailable ${totals.safetyUnavailable}), answered ${totals.answered}, errors ${totals.errors}`,
  );
  lines.push(`  harmful blocked: ${formatRate(summary.harmfulBlockRate)}    benign refused (false refusals): ${formatRate(summary.falseRefusalRate)}`);
  lines.push(`  guard latency p50 ${formatMs(summary.guardLatencyMs.p50)}, p95 ${formatMs(summary.guardLatencyMs.p95)} (${summary.guardLatencyMs.count} timed)`);
  lines.push(`  request latency p50 ${formatMs(summary.requestLatencyMs.p50)}, p95 ${formatMs(summary.requestLatencyMs.p95)}`);
  lines.push('');
  if (summary.byHazard.length > 0) {
    lines.push('Harmful prompts per hazard');
    lines.push(
      formatTable(
        ['HAZARD', 'PROMPTS', 'BLOCKED', 'ANSWERED', 'FLAGGED', 'ERRORS', 'BLOCK RATE'],
        summary.byHazard.map((row) => [hazardTitle(row.hazard), String(row.prompts), String(row.blocked), String(row.answered), String(row.flagged), String(row.errors), formatRate(row.blockRate)]),
        new Set([1, 2, 3, 4, 5, 6]),
      ),
    );
  }
  lines.push('Per language');
  lines.push(
    formatTable(
      ['LANGUAGE', 'HARMFUL', 'BLOCKED', 'BLOCK RATE', 'BENIGN', 'REFUSED', 'FALSE REFUSALS', 'ERRORS'],
      summary.byLanguage.map((row) => [
        row.language,
        String(row.harmful.prompts),
        String(row.harmful.blocked),
        formatRate(row.harmful.blockRate),
        String(row.benign.prompts),
        String(row.benign.refused),
        formatRate(row.benign.falseRefusalRate),
        String(row.harmful.errors + row.benign.errors),
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  if (summary.errors.count > 0) {
    lines.push(`Errors: ${summary.errors.count} prompts got no verdict and are left out of the rates, e.g.`);
    for (const message of summary.errors.examples) lines.push(`  ${message}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export async function safetyEvalCommand(flags: SafetyEvalFlags, io: Io): Promise<number> {
  const settings = parseSettings(flags);
  if (flags.html !== undefined) await checkHtmlTarget(flags.html);
  const prompts = await readPromptSets(flags.prompts);
  const progress = progressReporter(io.err, prompts.length);
  const results = await runAll(settings, prompts, progress.tick);
  progress.end();
  const summary = summarize(results);
  let code = summary.errors.count > 0 ? 1 : 0;
  if (flags.html !== undefined) {
    const html = renderHtmlReport(summary, { url: flags.url, model: settings.model, files: flags.prompts, generatedAt: new Date() });
    try {
      await writeFile(flags.html, html, 'utf8');
      io.err.write(`HTML report written to ${flags.html}\n`);
    } catch (error) {
      io.err.write(`cannot write ${flags.html}: ${error instanceof Error ? error.message : String(error)}\n`);
      code = 1;
    }
  }
  if (flags.json === true) {
    // Per-prompt results without the prompt text (file:line points at it): the misses carry the text.
    const perPrompt = results.map(({ prompt: _prompt, ...rest }) => rest);
    const settingsOut = { url: flags.url, endpoint: settings.endpoint, model: settings.model, concurrency: settings.concurrency, maxTokens: settings.maxTokens, timeoutMs: settings.timeoutMs };
    io.out.write(`${JSON.stringify({ settings: settingsOut, files: flags.prompts, ...summary, results: perPrompt }, null, 2)}\n`);
  } else {
    io.out.write(textReport(summary, settings));
  }
  if (summary.errors.count > 0) io.err.write(`${summary.errors.count} of ${summary.totals.prompts} prompts got no verdict; the rates leave them out.\n`);
  return code;
}
