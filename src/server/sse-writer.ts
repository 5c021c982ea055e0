/**
 * Writes a stream to the client as server-sent events, one event per chunk as soon as it arrives,
 * waiting for the socket to drain when the client reads slowly (back-pressure) instead of buffering.
 * Every event goes into `digest` too, for the audit event's answer digest; the finishing chunk and
 * what follows it, and the terminating `[DONE]`, are the caller's to write once the request is
 * audited (so the finishing chunk can carry the output's provenance).
 */
import type { Hash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { StreamChunk } from '../spec/engine.js';
import { finishes } from '../gateway/stream-relay.js';

export const doneEvent = 'data: [DONE]\n\n';

/**
 * Returns normally when the stream ended; throws what the stream threw. A client that reads
 * nothing for `stallMs` is disconnected, so it cannot hold an engine slot forever.
 */
export async function writeSse(response: ServerResponse, chunks: AsyncIterable<StreamChunk>, client: { readonly aborted: boolean }, stallMs: number, digest: Hash, held: string[] = []): Promise<void> {
  for await (const chunk of chunks) {
    const event = `data: ${chunk.data}\n\n`;
    digest.update(event);
    // From the finishing chunk on, events wait in `held`: the caller adds the output's provenance to
    // that chunk once the request is audited. Content chunks before it go out as they come.
    if (held.length > 0 || finishes.test(chunk.data)) {
      held.push(chunk.data);
      continue;
    }
    if (!response.write(event) && !client.aborted) {
      await drainedOrClosed(response, stallMs);
    }
    if (client.aborted) return;
  }
}


function drainedOrClosed(response: ServerResponse, stallMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Destroying the socket fires 'close', which settles and, through the server, cancels the request.
    const timer = setTimeout(() => response.destroy(), stallMs);
    const settle = () => {
      clearTimeout(timer);
      response.off('drain', settle);
      response.off('close', settle);
      resolve();
    };
    response.on('drain', settle);
    response.on('close', settle);
  });
}
