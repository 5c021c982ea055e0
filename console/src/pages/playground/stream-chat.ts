/**
 * One streamed chat completion against the tenant API (`POST /v1/chat/completions`, `stream: true`)
 * with a tenant key, read with fetch and a ReadableStream: deltas as they come, usage, the output's
 * provenance on the finishing chunk, and the error event a stream may end with instead of `[DONE]`.
 */
import { ApiError, apiErrorFrom } from '../../api/client.js';
import { SseReader } from './sse.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number | undefined;
  readonly max_tokens?: number | undefined;
}

export interface Usage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
  readonly total_tokens?: number;
}

export interface StreamEvents {
  onResponse?(requestId: string | null): void;
  onDelta(text: string): void;
  onUsage?(usage: Usage): void;
  onProvenance?(provenance: { id: string; manifest?: string }): void;
  onFinish?(reason: string): void;
}

export type StreamOutcome =
  | { readonly status: 'done'; readonly requestId: string | null }
  | { readonly status: 'error'; readonly requestId: string | null; readonly error: ApiError; readonly midStream: boolean }
  | { readonly status: 'aborted'; readonly requestId: string | null };

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError');
}

export async function streamChat(key: string, request: ChatRequest, events: StreamEvents, signal: AbortSignal): Promise<StreamOutcome> {
  let response: Response;
  try {
    response = await fetch('/v1/chat/completions', {
      method: 'POST',
      // The tenant API takes the key, not the console's session: no cookie goes with it.
      credentials: 'omit',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ ...request, stream: true, stream_options: { include_usage: true } }),
      signal,
    });
  } catch (error) {
    if (isAbort(error, signal)) return { status: 'aborted', requestId: null };
    return { status: 'error', requestId: null, midStream: false, error: new ApiError(error instanceof Error ? error.message : String(error), 0, 'network_error', null) };
  }
  const requestId = response.headers.get('x-request-id');
  events.onResponse?.(requestId);
  if (!response.ok || response.body === null) {
    let text = '';
    try {
      text = await response.text();
    } catch {
      // The status still tells.
    }
    return { status: 'error', requestId, midStream: false, error: apiErrorFrom(response, text) };
  }

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const sse = new SseReader();
  let done = false;
  const handle = (data: string): StreamOutcome | undefined => {
    if (data === '[DONE]') {
      done = true;
      return undefined;
    }
    let chunk: {
      error?: { message?: unknown; code?: unknown; type?: unknown };
      choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
      usage?: Usage | null;
      nara?: { provenance?: { id?: unknown; manifest?: unknown } };
    };
    try {
      chunk = JSON.parse(data) as typeof chunk;
    } catch {
      return undefined; // Not JSON: nothing a chat stream sends; skip it.
    }
    if (chunk.error !== undefined) return { status: 'error', requestId, midStream: true, error: apiErrorFrom(response, JSON.stringify({ error: chunk.error })) };
    for (const choice of chunk.choices ?? []) {
      if (typeof choice.delta?.content === 'string' && choice.delta.content !== '') events.onDelta(choice.delta.content);
      if (typeof choice.finish_reason === 'string') events.onFinish?.(choice.finish_reason);
    }
    if (chunk.usage !== undefined && chunk.usage !== null) events.onUsage?.(chunk.usage);
    const provenance = chunk.nara?.provenance;
    if (provenance !== undefined && typeof provenance.id === 'string') {
      events.onProvenance?.({ id: provenance.id, ...(typeof provenance.manifest === 'string' ? { manifest: provenance.manifest } : {}) });
    }
    return undefined;
  };

  try {
    for (;;) {
      const { value, done: ended } = await reader.read();
      const datas = ended ? [...sse.push(decoder.decode()), ...sse.end()] : sse.push(decoder.decode(value, { stream: true }));
      for (const data of datas) {
        const outcome = handle(data);
        if (outcome !== undefined) {
          await reader.cancel().catch(() => undefined);
          return outcome;
        }
      }
      if (ended) break;
    }
  } catch (error) {
    if (isAbort(error, signal)) return { status: 'aborted', requestId };
    return { status: 'error', requestId, midStream: true, error: new ApiError(error instanceof Error ? error.message : String(error), 0, 'stream_broken', requestId) };
  }
  if (!done) return { status: 'error', requestId, midStream: true, error: new ApiError('The stream ended without [DONE]: the connection was cut or the server stopped.', 0, 'stream_incomplete', requestId) };
  return { status: 'done', requestId };
}

/** `GET /v1/models` with the tenant key: the models this key may use. */
export async function listModels(key: string, signal: AbortSignal): Promise<string[]> {
  let response: Response;
  try {
    response = await fetch('/v1/models', { credentials: 'omit', headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, signal });
  } catch (error) {
    if (isAbort(error, signal)) throw error;
    throw new ApiError(error instanceof Error ? error.message : String(error), 0, 'network_error', null);
  }
  const text = await response.text();
  if (!response.ok) throw apiErrorFrom(response, text);
  const parsed = JSON.parse(text) as { data?: { id?: unknown }[] };
  return (parsed.data ?? []).flatMap((model) => (typeof model.id === 'string' ? [model.id] : []));
}
