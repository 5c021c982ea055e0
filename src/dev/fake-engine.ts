/**
 * A fake OpenAI-compatible engine: a real HTTP server on 127.0.0.1 that tests and benchmarks can
 * tell to misbehave (5xx, 429, hangs, resets, malformed JSON, stalled or broken streams).
 * Answers are pre-serialised so that, in benchmarks, the engine costs as little as possible.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBehaviour =
  | 'ok'
  | 'error-500'
  | 'error-429'
  | 'error-400'
  | 'hang'
  | 'reset'
  | 'malformed-json'
  | 'reset-mid-stream'
  | 'stall-mid-stream'
  | 'error-event-mid-stream'
  | 'no-usage';

export interface FakeEngineOptions {
  readonly port?: number;
  /** Content pieces of a streamed answer; the JSON answer joins them. */
  readonly pieces?: readonly string[];
  /** Delay before each streamed chunk after the first, in ms. */
  readonly chunkDelayMs?: number;
  /** Keep every request body (tests); off for benchmarks. */
  readonly record?: boolean;
  readonly promptTokens?: number;
  /**
   * Report a different prompt_tokens per request (derived from the request body), so that tests of
   * metering can tell one request's usage from another's. Off for benchmarks (answers are cached).
   */
  readonly varyUsage?: boolean;
  /**
   * Answer with what the request said (the last message's content, or the prompt), then `append`,
   * streamed `pieceLength` characters a chunk: shows what reached the engine, and lets tests check
   * that surrogates split across chunks are restored.
   */
  readonly echo?: { readonly pieceLength: number; readonly append?: string };
}

export interface ReportedUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Answers that carried usage. */
  answers: number;
}

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface FakeEngine {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests answered (including failures), by path. */
  readonly hits: () => number;
  behave(behaviour: FakeBehaviour): void;
  /** How many answers were cut off by the client (Nara) going away. */
  readonly disconnects: () => number;
  /** Sum of the usage this engine reported in answers it finished sending. */
  readonly reported: () => ReportedUsage;
  /** Bytes written to open streams that Nara has not read yet (shows back-pressure). */
  readonly streamBacklog: () => number;
  close(): Promise<void>;
}

const defaultPieces = ['안녕', '하세요', ',', ' 나라', '입니다', '.'];

export async function startFakeEngine(options: FakeEngineOptions = {}): Promise<FakeEngine> {
  const staticPieces = options.pieces ?? defaultPieces;
  const promptTokens = options.promptTokens ?? 12;
  const requests: RecordedRequest[] = [];
  let behaviour: FakeBehaviour = 'ok';
  let hits = 0;
  let disconnects = 0;
  const openStreams = new Set<ServerResponse>();

  const reported: ReportedUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, answers: 0 };
  const usageFor = (body: Record<string, unknown>, kind: 'chat' | 'completion' | 'embedding') => {
    const prompt = kind === 'embedding' ? 3 : promptTokens + (options.varyUsage === true ? JSON.stringify(body).length % 97 : 0);
    const completion = kind === 'embedding' ? 0 : piecesFor(body).length;
    const cached = kind === 'embedding' ? 0 : 2;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
  };
  const count = (sent: ReturnType<typeof usageFor>) => {
    reported.promptTokens += sent.prompt_tokens;
    reported.completionTokens += sent.completion_tokens;
    reported.cachedTokens += sent.prompt_tokens_details.cached_tokens;
    reported.answers += 1;
  };
  const piecesFor = (body: Record<string, unknown>): readonly string[] => (options.echo === undefined ? staticPieces : echoPieces(body, options.echo.pieceLength, options.echo.append ?? ''));
  const answers = new Map<string, string>();
  const answer = (model: string, kind: 'chat' | 'completion' | 'embedding', withUsage: boolean, body: Record<string, unknown>): string => {
    if (withUsage) count(usageFor(body, kind));
    const pieces = piecesFor(body);
    if (options.varyUsage === true || options.echo !== undefined) return JSON.stringify(answerBody(model, kind, pieces, withUsage ? usageFor(body, kind) : undefined));
    const key = `${kind}\u0000${model}\u0000${withUsage}`;
    let text = answers.get(key);
    if (text === undefined) {
      text = JSON.stringify(answerBody(model, kind, pieces, withUsage ? usageFor(body, kind) : undefined));
      answers.set(key, text);
    }
    return text;
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      hits += 1;
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      if (request.method === 'GET' && path.endsWith('/models')) {
        if (behaviour === 'error-500' || behaviour === 'reset' || behaviour === 'hang') return failHealth(response, behaviour);
        return send(response, 200, '{"object":"list","data":[{"id":"fake","object":"model"}]}');
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(response, 400, '{"error":{"message":"bad json","type":"invalid_request_error"}}');
      }
      if (options.record === true) requests.push({ path, headers: request.headers, body });
      response.on('close', () => {
        if (!response.writableFinished) disconnects += 1;
      });
      const model = typeof body.model === 'string' ? body.model : 'unknown';
      const kind = path.endsWith('/embeddings') ? 'embedding' : path.endsWith('/chat/completions') ? 'chat' : 'completion';
      if (misbehaveBeforeAnswer(behaviour, response)) return;
      if (body.stream === true && kind !== 'embedding') {
        const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
        openStreams.add(response);
        response.on('close', () => openStreams.delete(response));
        const streamUsage = streamOptions?.include_usage === true && behaviour !== 'no-usage' ? usageFor(body, kind) : undefined;
        return void streamAnswer(response, model, kind, piecesFor(body), behaviour, streamUsage, options.chunkDelayMs ?? 0).then((usageSent) => {
          if (usageSent && streamUsage !== undefined) count(streamUsage);
        });
      }
      if (behaviour === 'malformed-json') return send(response, 200, '{"id":"x","choices":[{"message":');
      send(response, 200, answer(model, kind, behaviour !== 'no-usage', body));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    hits: () => hits,
    disconnects: () => disconnects,
    reported: () => ({ ...reported }),
    streamBacklog: () => [...openStreams].reduce((total, open) => total + open.writableLength, 0),
    behave(next) {
      behaviour = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function misbehaveBeforeAnswer(behaviour: FakeBehaviour, response: ServerResponse): boolean {
  switch (behaviour) {
    case 'error-500':
      send(response, 500, '{"error":{"message":"engine exploded","type":"server_error"}}');
      return true;
    case 'error-429':
      send(response, 429, '{"error":{"message":"slow down","type":"rate_limit_error"}}');
      return true;
    case 'error-400':
      send(response, 400, '{"error":{"message":"max_tokens is too large for this engine","type":"invalid_request_error"}}');
      return true;
    case 'hang':
      return true; // never answers
    case 'reset':
      response.socket?.destroy();
      return true;
    default:
      return false;
  }
}

function failHealth(response: ServerResponse, behaviour: FakeBehaviour): void {
  if (behaviour === 'reset') response.socket?.destroy();
  else if (behaviour === 'error-500') send(response, 500, '{}');
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

async function streamAnswer(
  response: ServerResponse,
  model: string,
  kind: 'chat' | 'completion',
  pieces: readonly string[],
  behaviour: FakeBehaviour,
  usage: object | undefined,
  delayMs: number,
): Promise<boolean> {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = { id: 'chatcmpl-fake', object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: 1_700_000_000, model };
  const choice = (piece: string, finish: string | null) =>
    kind === 'chat' ? { index: 0, delta: { content: piece }, finish_reason: finish } : { index: 0, text: piece, finish_reason: finish };
  for (let index = 0; index < pieces.length; index += 1) {
    if (index > 0 && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (response.destroyed) return false;
    if (index === 2 && behaviour === 'reset-mid-stream') {
      // Let the chunks already written reach the client first, then cut the connection.
      setTimeout(() => response.socket?.destroy(), 30);
      return false;
    }
    if (index === 2 && behaviour === 'stall-mid-stream') return false; // keeps the connection open, sends nothing more
    if (index === 2 && behaviour === 'error-event-mid-stream') {
      response.end('data: {"error":{"message":"CUDA out of memory","type":"server_error"}}\n\n');
      return false;
    }
    if (index === 2 && behaviour === 'malformed-json') {
      response.end('data: {"id":"chatcmpl-fake","choices":[{\n\n');
      return false;
    }
    response.write(`data: ${JSON.stringify({ ...base, choices: [choice(pieces[index] ?? '', null)] })}\n\n`);
  }
  response.write(`data: ${JSON.stringify({ ...base, choices: [choice('', 'stop')] })}\n\n`);
  if (response.destroyed) return false;
  if (usage !== undefined) response.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  response.end('data: [DONE]\n\n');
  return true;
}

function answerBody(model: string, kind: 'chat' | 'completion' | 'embedding', pieces: readonly string[], usage: object | undefined): object {
  const text = pieces.join('');
  const withUsage = usage === undefined ? {} : { usage };
  if (kind === 'embedding') {
    return { object: 'list', model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3, 0.4] }], ...(usage === undefined ? {} : { usage: { prompt_tokens: 3, total_tokens: 3 } }) };
  }
  const choice = kind === 'chat' ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' } : { index: 0, text, finish_reason: 'stop' };
  return { id: 'chatcmpl-fake', object: kind === 'chat' ? 'chat.completion' : 'text_completion', created: 1_700_000_000, model, choices: [choice], ...withUsage };
}

/** The last message's text (or the prompt) as it reached the engine, in pieces of `length` characters. */
function echoPieces(body: Record<string, unknown>, length: number, append: string): string[] {
  const messages = body.messages;
  let said = '';
  if (Array.isArray(messages)) {
    const content = (messages[messages.length - 1] as { content?: unknown } | undefined)?.content;
    said = typeof content === 'string' ? content : JSON.stringify(content ?? '');
  } else {
    const prompt = body.prompt ?? body.input;
    said = typeof prompt === 'string' ? prompt : JSON.stringify(prompt ?? '');
  }
  const characters = Array.from(`${said}${append}`);
  const pieces: string[] = [];
  for (let index = 0; index < characters.length; index += Math.max(1, length)) pieces.push(characters.slice(index, index + Math.max(1, length)).join(''));
  return pieces;
}
