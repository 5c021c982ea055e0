/**
 * Stage "relay" for streams: passes the engine's chunks on as they arrive, takes the usage from the
 * engine's final usage chunk (dropping it when the client did not ask for it), counts tokens itself
 * when the engine sends none, and releases the back end when the stream ends in any way.
 */
import type { StreamChunk } from '../spec/engine.js';
import { NaraError } from '../spec/errors.js';
import type { RequestContext } from './request-context.js';
import type { Candidate } from './routing-table.js';
import { completionTextOf, estimateUsage, promptTextsOf } from './token-estimator.js';

export interface RelayInput {
  readonly context: RequestContext;
  readonly candidate: Candidate;
  readonly first: IteratorResult<StreamChunk>;
  readonly rest: AsyncIterator<StreamChunk>;
  readonly request: Record<string, unknown>;
}

export async function* relayStream(input: RelayInput): AsyncGenerator<StreamChunk> {
  const { context, candidate, rest } = input;
  const rename = candidate.rename;
  const slot = candidate.slot;
  // Kept only until the engine's usage shows up, to count tokens (one per content chunk) if it never does.
  let unmetered: string[] | undefined = [];
  let finished = false;
  try {
    let next = input.first;
    while (!next.done) {
      const chunk = next.value;
      if (chunk.usage !== undefined) {
        context.usage = chunk.usage;
        unmetered = undefined;
      } else {
        unmetered?.push(chunk.data);
      }
      if (!(chunk.usageOnly === true && !context.clientWantsUsage)) yield rename.chunk(chunk);
      next = await rest.next();
    }
    finished = true;
    if (context.usage === undefined) {
      const tokens = (unmetered ?? []).filter(carriesText).length;
      context.usage = estimateUsage(promptTextsOf(input.request), tokens, context.operation === 'chat');
    }
  } catch (thrown) {
    if (context.cancellation.aborted) throw new NaraError('client_closed_request', 'The client closed the connection.');
    slot.circuit.onFailure();
    if (thrown instanceof NaraError && thrown.code === 'stream_interrupted') throw thrown;
    const cause = thrown instanceof NaraError ? thrown.message : 'the engine broke off the stream';
    throw new NaraError('stream_interrupted', `Stream from ${slot.id} ended early: ${cause}`, { cause: thrown, failover: false });
  } finally {
    slot.inFlight -= 1;
    if (!finished) await rest.return?.().catch(() => undefined);
  }
}

/** Whether a chunk carries generated text (not only a role, a finish reason or usage). */
function carriesText(data: string): boolean {
  try {
    return completionTextOf(JSON.parse(data)) !== '';
  } catch {
    return false; // the engine validated each chunk already
  }
}
