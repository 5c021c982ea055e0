/**
 * Stage "relay" for streams: passes the engine's chunks on as they arrive, takes the usage from the
 * engine's final usage chunk (dropping it when the client did not ask for it), counts tokens itself
 * when the engine sends none, and releases the back end when the stream ends in any way.
 */
import type { StreamChunk } from '../spec/engine.js';
import type { TokenCounter } from '../spec/tokens.js';
import { clientClosedError, NaraError } from '../spec/errors.js';
import type { RequestContext } from './request-context.js';
import type { Candidate } from './routing-table.js';
import { estimateUsage, promptTextsOf } from './token-estimator.js';
import { chunkTextOf } from './chunk-text.js';
import { StreamAnswerFilter } from './pii/answer-filter.js';
import { contentFilterChunk, type StreamSafety } from './safety/answer-safety.js';
import { blockedError } from './safety/safety-check.js';

export interface RelayInput {
  readonly context: RequestContext;
  readonly candidate: Candidate;
  readonly first: IteratorResult<StreamChunk>;
  readonly rest: AsyncIterator<StreamChunk>;
  readonly request: Record<string, unknown>;
  readonly counter: TokenCounter;
  /** The tenant's safety checks of the answer, when its policy has any. */
  readonly safety?: StreamSafety | undefined;
}

export async function* relayStream(input: RelayInput): AsyncGenerator<StreamChunk> {
  const { context, candidate, rest } = input;
  const rename = candidate.rename;
  const slot = candidate.slot;
  // Content chunks forwarded (one token each), for metering when the engine's usage never comes:
  // engines without usage, and streams cut short by the client or the engine.
  let textChunks = 0;
  let finished = false;
  // Surrogates restored and the model's own personal data counted or redacted, when the plan says so.
  const pii = context.pii?.filtersAnswers === true ? new StreamAnswerFilter(context.pii, context.operation === 'completion' ? 'completion' : 'chat') : undefined;
  const safety = input.safety;
  const operation = context.operation === 'completion' ? 'completion' : 'chat';
  let finishChecked = false;
  let last: StreamChunk | undefined;
  // An unsafe answer ends with a content_filter chunk, then the refusal (the error event).
  const cutOn = (moderation: StreamSafety, decision: NonNullable<ReturnType<StreamSafety['push']>>) => {
    context.trail.push({ stage: 'safety-answer', ok: false, code: 'safety_blocked', note: `action=block hazards=${decision.hazards.join(',')}${context.promptLanguage === undefined ? '' : ` lang=${context.promptLanguage}`}` });
    return blockedError(moderation.policy, decision, 'output');
  };
  // A chunk's generated text, read once for safety and provenance (and not at all when neither reads it).
  const readsText = safety !== undefined || context.provenance !== undefined;
  // The engine's own reading when it parsed the chunk (HTTP engines do), else read from the JSON. A
  // chunk whose keys are escaped ("con\u0074ent") is read too: carriesText cannot see its text.
  const textOf = (chunk: StreamChunk) =>
    !readsText || chunk.usageOnly === true ? '' : (chunk.text ?? (carriesText(chunk.data) || chunk.data.includes('\\u') ? chunkTextOf(chunk.data) : ''));
  /** Sends one chunk on: checked by safety (the answer is cut before it when unsafe), its text added to the provenance. */
  async function* emit(chunk: StreamChunk): AsyncGenerator<StreamChunk> {
    const text = textOf(chunk);
    if (safety !== undefined && chunk.usageOnly !== true) {
      // Synchronous for every chunk but the finishing one, which waits for the last checks.
      let decision = text === '' ? undefined : safety.push(text);
      // Text after a choice finished (another choice, n > 1): the end-of-stream checks must run again.
      if (text !== '' && finishChecked) finishChecked = false;
      if (decision === undefined && (chunk.finishes ?? finishes.test(chunk.data))) {
        finishChecked = true;
        decision = await safety.finish();
      }
      if (decision !== undefined) {
        yield rename.chunk(contentFilterChunk(last ?? chunk, operation));
        throw cutOn(safety, decision);
      }
    }
    if (chunk.usageOnly !== true) last = chunk;
    if (context.provenance !== undefined) context.provenance.text += text;
    if (!(chunk.usageOnly === true && !context.clientWantsUsage)) yield rename.chunk(chunk);
  }
  try {
    let next = input.first;
    while (!next.done) {
      let chunk = next.value;
      if (chunk.usage !== undefined) context.usage = chunk.usage;
      else if (chunk.text !== undefined ? chunk.text !== '' : carriesText(chunk.data)) textChunks += 1;
      if (pii !== undefined) {
        // Text a pipe still holds goes out before the usage chunk, which comes last.
        const held = chunk.usageOnly === true ? pii.drain() : undefined;
        if (held !== undefined) yield* emit(held);
        chunk = pii.transform(chunk);
      }
      // Checks run every few characters before a chunk goes out: when one finds a flagged phrase, the
      // chunk that triggered it is withheld and the answer cut (the phrase's start may have gone out).
      yield* emit(chunk);
      next = await rest.next();
    }
    const held = pii?.drain();
    if (held !== undefined) yield* emit(held);
    // An engine that never sent a finish_reason: the last checks run at the end instead.
    if (safety !== undefined && !finishChecked) {
      const decision = await safety.finish();
      if (decision !== undefined) {
        yield rename.chunk(contentFilterChunk(last, operation));
        throw cutOn(safety, decision);
      }
    }
    finished = true;
  } catch (thrown) {
    if (context.cancellation.aborted) throw clientClosedError(thrown);
    // A safety refusal is the policy's doing, not the engine's: no circuit-breaker failure.
    if (thrown instanceof NaraError && (thrown.code === 'safety_blocked' || thrown.code === 'safety_unavailable')) throw thrown;
    slot.circuit.onFailure();
    if (thrown instanceof NaraError && thrown.code === 'stream_interrupted') throw thrown;
    const cause = thrown instanceof NaraError ? thrown.message : 'the engine broke off the stream';
    throw new NaraError('stream_interrupted', `Stream from ${slot.id} ended early: ${cause}`, { cause: thrown, failover: false });
  } finally {
    slot.inFlight -= 1;
    const answerRecord = context.pii?.answerRecord();
    if (answerRecord !== undefined) context.trail.push(answerRecord);
    // Whatever reached the client is metered, even when the stream ended early.
    context.usage ??= estimateUsage(promptTextsOf(input.request), textChunks, context.operation === 'chat', input.counter);
    if (!finished) await rest.return?.().catch(() => undefined);
  }
}

/** Non-empty generated text in a chat delta or a completion chunk. Cheaper than parsing each chunk. */
const textField = /"(?:content|text)"\s*:\s*"(?!")/;

/** A chunk that finishes a choice: `"finish_reason":"stop"` (not null). The SSE writer holds these back too. */
export const finishes = /"finish_reason"\s*:\s*"/;

function carriesText(data: string): boolean {
  return textField.test(data);
}
