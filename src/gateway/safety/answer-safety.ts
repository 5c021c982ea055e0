/**
 * Safety checks of answers. A whole (JSON) answer is checked once: term lists, tenant rules and the
 * guard model; `block` turns it into a refusal, `redact` replaces the flagged spans and sets
 * `finish_reason: "content_filter"`. A streamed answer is checked as it arrives (`StreamSafety`):
 * local checks every few characters, the guard model every `streamEveryChars` in the background and
 * once more at the end; an unsafe answer is cut — a last chunk with `finish_reason:
 * "content_filter"`, then the `safety_blocked` error event — within a bounded number of characters.
 */
import type { StreamChunk } from '../../spec/engine.js';
import { decide, localFindings, redactText, type SafetyDecision } from '../../safety/moderation.js';
import { StreamModerator } from '../../safety/stream-moderator.js';
import type { SafetyPolicy } from '../../safety/safety-policy.js';
import { blockedError, judgeGuard, noteCheck, withGuard, type CheckInput, type SafetyCheck, type SafetyRecord } from './safety-check.js';
import { askGuard, type GuardOutcome } from './guard-call.js';

/** Local checks on streams run after at least this many new characters: the bound on how late a term is caught. */
export const streamCheckEveryChars = 24;
export const redactionMarker = '[…]';
/** A guard model reads at most the last this many characters of a streamed answer (its context is finite). */
export const guardAnswerChars = 32_000;

interface JsonChoice {
  message?: { content?: unknown };
  text?: unknown;
  finish_reason?: unknown;
}

/** Checks a whole answer; returns the body to send (redacted when the policy says so) or throws the refusal. */
export async function checkJsonAnswer(input: CheckInput, record: SafetyRecord, body: string): Promise<string> {
  const policy = input.tenant.safety;
  let parsed: { choices?: JsonChoice[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return body;
  }
  const choices = Array.isArray(parsed.choices) ? parsed.choices : [];
  const texts = choices.map((choice) => (typeof choice.message?.content === 'string' ? choice.message.content : typeof choice.text === 'string' ? choice.text : ''));
  const perChoice = texts.map((text) => localFindings(text, policy, 'output'));
  // Every choice goes to the guard (n > 1 answers), as one text.
  const check = await withGuard(policy, 'output', perChoice.flat(), input, texts.join('\n\n'));
  noteCheck(record, check);
  const decision = check.decision;
  if (decision.action === 'block') throw blockedError(policy, decision, 'output');
  if (decision.action !== 'redact') return body;
  choices.forEach((choice, index) => {
    const own = decide(perChoice[index] ?? [], policy);
    const text = texts[index] ?? '';
    const redacted = own.action === 'redact' ? redactText(text, own, policy, redactionMarker) : text;
    if (choice.message !== undefined) choice.message.content = redacted;
    else choice.text = redacted;
    if (own.action === 'redact') choice.finish_reason = 'content_filter';
  });
  return JSON.stringify(parsed);
}

/** Moderates a stream as it passes: `push` each chunk's text, `finish` before the finishing chunk goes out. */
export class StreamSafety {
  readonly #policy: SafetyPolicy;
  readonly #input: CheckInput;
  readonly #record: SafetyRecord;
  readonly #local: StreamModerator;
  #guardAt = 0;
  /** The answer's last guardAnswerChars characters, kept only when a guard model reads answers. */
  #answer = '';
  #guardRunning: Promise<GuardOutcome> | undefined;
  #guardVerdict: SafetyCheck | undefined;
  #guardError: unknown;

  constructor(input: CheckInput, record: SafetyRecord) {
    this.#input = input;
    this.#policy = input.tenant.safety;
    this.#record = record;
    this.#local = new StreamModerator(this.#policy, streamCheckEveryChars);
  }

  get policy(): SafetyPolicy {
    return this.#policy;
  }

  /** The answer's new text; returns the decision to cut on, if any. */
  push(delta: string): SafetyDecision | undefined {
    const local = this.#local.push(delta);
    if (this.#policy.guard?.output === true) {
      this.#answer += delta;
      if (this.#answer.length > 2 * guardAnswerChars) this.#answer = this.#answer.slice(-guardAnswerChars);
    }
    if (local !== undefined) {
      noteCheck(this.#record, { decision: local });
      if (local.action === 'block' || local.action === 'redact') return local;
    }
    if (this.#guardError !== undefined) throw this.#guardError;
    if (this.#guardVerdict !== undefined && (this.#guardVerdict.decision.action === 'block' || this.#guardVerdict.decision.action === 'redact')) return this.#guardVerdict.decision;
    const guard = this.#policy.guard;
    if (guard !== null && guard.output && this.#guardRunning === undefined && this.#local.length - this.#guardAt >= guard.streamEveryChars) this.#startGuard();
    return undefined;
  }

  /** The last checks, before the finishing chunk: what local checks have not seen, and the guard on the whole answer. */
  async finish(): Promise<SafetyDecision | undefined> {
    const local = this.#local.finish();
    if (local !== undefined) {
      noteCheck(this.#record, { decision: local });
      if (local.action === 'block' || local.action === 'redact') return local;
    }
    const guard = this.#policy.guard;
    if (guard === null || !guard.output) return undefined;
    await this.#guardRunning?.catch(() => undefined);
    const check = await withGuard(this.#policy, 'output', [], this.#input, this.#answer.slice(-guardAnswerChars));
    noteCheck(this.#record, check);
    return check.decision.action === 'block' || check.decision.action === 'redact' ? check.decision : undefined;
  }

  #startGuard(): void {
    this.#guardAt = this.#local.length;
    const input = this.#input;
    // Named one by one: `signal` may be a getter, which spreading an object would not copy.
    const question = { request: input.request, answer: this.#answer.slice(-guardAnswerChars), pii: input.pii, requestId: input.requestId, signal: input.signal };
    this.#guardRunning = askGuard(input.table, input.tenant, this.#policy.guard as NonNullable<SafetyPolicy['guard']>, question);
    // Settled in the background; the next chunk looks at the verdict.
    this.#guardRunning.then(
      (outcome) => {
        this.#guardRunning = undefined;
        try {
          const check = judgeGuard(this.#policy, [], outcome, this.#input.tenant.id);
          noteCheck(this.#record, check);
          this.#guardVerdict = check;
        } catch (error) {
          this.#guardError = error;
        }
      },
      () => (this.#guardRunning = undefined),
    );
  }
}

/** The chunk that ends a cut stream: the last chunk's envelope, no text, `finish_reason: "content_filter"`. */
export function contentFilterChunk(last: StreamChunk | undefined, operation: 'chat' | 'completion'): StreamChunk {
  let envelope: Record<string, unknown> = {};
  try {
    envelope = last === undefined ? {} : (JSON.parse(last.data) as Record<string, unknown>);
  } catch {
    envelope = {};
  }
  const choice = operation === 'chat' ? { index: 0, delta: {}, finish_reason: 'content_filter' } : { index: 0, text: '', finish_reason: 'content_filter' };
  const { usage: _usage, ...rest } = envelope;
  return { data: JSON.stringify({ ...rest, choices: [choice] }) };
}
