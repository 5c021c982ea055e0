/**
 * An OpenAI-compatible engine over HTTP (vLLM, TGI, Ollama, llama.cpp server, NIM, SGLang), through
 * one pooled keep-alive undici Pool per back end. The URL comes only from the configuration:
 * nothing in a client request can change where this engine connects, and redirects are not followed.
 */
import { Client, Pool, type Dispatcher } from 'undici';
import { engineSpecVersion, type Engine, type EngineCallOptions, type EngineHealth, type EngineResult, type StreamChunk } from '../../spec/engine.js';
import { clientClosedError, NaraError } from '../../spec/errors.js';
import { completionTextOf, finishesChoice, type EmbeddingRequest, type GenerationRequest, type Operation } from '../../spec/openai.js';
import type { HttpBackendConfig } from '../../config/types.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { DispatchFailure, dispatchJson, type RawAnswer } from './dispatch-json.js';
import { doneSentinel, readSseData } from './sse-reader.js';
import { errorFromStatus, errorFromTransport, malformedAnswer } from './upstream-errors.js';

const paths: Record<Operation, string> = {
  chat: '/chat/completions',
  completion: '/completions',
  embedding: '/embeddings',
};

const maxErrorBodyBytes = 16 * 1024;
const usageField = /"usage"\s*:\s*\{/;

export class OpenAiHttpEngine implements Engine {
  readonly specVersion = engineSpecVersion;
  readonly id: string;
  readonly operations: ReadonlySet<Operation> = new Set<Operation>(['chat', 'completion', 'embedding']);
  private readonly pool: Pool;
  /** Health probes get their own connection so they never queue behind user traffic at saturation. */
  private readonly probeClient: Client;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private readonly streamHeaders: Record<string, string>;

  constructor(private readonly config: HttpBackendConfig) {
    this.id = config.id;
    const url = new URL(config.url);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: config.maxConcurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: config.timeouts.connectMs },
      headersTimeout: config.timeouts.firstByteMs,
      bodyTimeout: config.timeouts.idleMs,
    });
    this.probeClient = new Client(url.origin, { connect: { timeout: config.timeouts.connectMs }, keepAliveTimeout: 30_000 });
    this.headers = { ...config.headers, 'content-type': 'application/json', accept: 'application/json' };
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
  }

  async doGenerate(operation: 'chat' | 'completion', request: GenerationRequest, options: EngineCallOptions): Promise<EngineResult> {
    return this.callJson(paths[operation], request, options);
  }

  async doEmbed(request: EmbeddingRequest, options: EngineCallOptions): Promise<EngineResult> {
    return this.callJson(paths.embedding, request, options);
  }

  async doStream(operation: 'chat' | 'completion', request: GenerationRequest, options: EngineCallOptions): Promise<AsyncIterable<StreamChunk>> {
    const response = await this.send(paths[operation], request, options, this.streamHeaders);
    const contentType = String(response.headers['content-type'] ?? '');
    if (!contentType.includes('text/event-stream')) {
      response.body.destroy();
      throw malformedAnswer(this.id, `a ${contentType || 'untyped'} answer to a streamed request`);
    }
    return this.chunks(response.body, options.signal);
  }

  async checkHealth(signal: AbortSignal): Promise<EngineHealth> {
    try {
      const answer = await dispatchJson(this.probeClient, { path: `${this.basePath}/models`, method: 'GET', headers: this.headers }, { signal });
      return answer.status < 500 ? { healthy: true } : { healthy: false, reason: `GET /models answered ${answer.status}` };
    } catch (error) {
      const code = ((error as DispatchFailure).failure as { code?: unknown } | undefined)?.code;
      return { healthy: false, reason: typeof code === 'string' ? code : 'unreachable' };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.probeClient.close()]);
  }

  private async callJson(path: string, request: object, options: EngineCallOptions): Promise<EngineResult> {
    let answer: RawAnswer;
    try {
      answer = await dispatchJson(
        this.pool,
        { path: this.basePath + path, method: 'POST', headers: { ...this.headers, 'x-request-id': options.requestId }, body: options.rawBody ?? JSON.stringify(request) },
        options,
      );
    } catch (error) {
      if (options.signal.aborted) throw clientClosedError(error);
      const failure = error instanceof DispatchFailure ? error : new DispatchFailure(error, false);
      throw errorFromTransport(this.id, failure.failure, failure.afterHeaders ? 'body' : 'connect');
    }
    if (answer.status !== 200) throw errorFromStatus(this.id, answer.status, answer.text.slice(0, maxErrorBodyBytes));
    const text = answer.text;
    let parsed: { usage?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(text) as { usage?: unknown };
    } catch {
      throw malformedAnswer(this.id, 'malformed JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || parsed.error !== undefined) {
      throw malformedAnswer(this.id, 'an error object with status 200');
    }
    return { body: text, usage: usageFromOpenAi(parsed.usage) };
  }

  /** Sends a streamed request and returns a 200 response; anything else becomes a catalogued error. */
  private async send(path: string, request: object, options: EngineCallOptions, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        path: this.basePath + path,
        method: 'POST',
        headers: { ...headers, 'x-request-id': options.requestId },
        body: JSON.stringify(request),
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal.aborted) throw clientClosedError(error);
      throw errorFromTransport(this.id, error, 'connect');
    }
    if (response.statusCode !== 200) {
      const bodyText = await readLimited(response.body, maxErrorBodyBytes).catch(() => '');
      throw errorFromStatus(this.id, response.statusCode, bodyText);
    }
    return response;
  }

  private async *chunks(body: Dispatcher.ResponseData['body'], signal: AbortSignal): AsyncGenerator<StreamChunk> {
    try {
      for await (const data of readSseData(body)) {
        if (data === doneSentinel) return;
        yield this.toChunk(data);
      }
    } catch (error) {
      if (error instanceof NaraError) throw error;
      throw this.streamFailure(error, signal);
    } finally {
      if (!body.destroyed) body.destroy();
    }
  }

  private toChunk(data: string): StreamChunk {
    let parsed: { usage?: unknown; choices?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(data) as typeof parsed;
    } catch {
      throw this.badEvent('sent a malformed stream event');
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw this.badEvent('sent a stream event that is not an object');
    }
    if (parsed.error !== undefined) {
      throw this.badEvent('reported an error mid-stream');
    }
    // Parsed here anyway: the text and whether it finishes come along, so that safety and provenance
    // need not read `data` again.
    const text = completionTextOf(parsed);
    const finishes = finishesChoice(parsed);
    if (!usageField.test(data)) return { data, text, finishes };
    const usage = usageFromOpenAi(parsed.usage);
    const usageOnly = Array.isArray(parsed.choices) && parsed.choices.length === 0;
    return { data, usage, usageOnly, text, finishes };
  }

  private streamFailure(error: unknown, signal: AbortSignal): NaraError {
    if (signal.aborted) return clientClosedError(error);
    const mapped = errorFromTransport(this.id, error, 'body');
    return new NaraError('stream_interrupted', mapped.message, { detail: mapped.detail, cause: error, failover: false });
  }

  private badEvent(what: string): NaraError {
    return new NaraError('stream_interrupted', `Engine ${this.id} ${what}.`, { detail: { backend: this.id }, failover: false });
  }
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of body) {
    parts.push(part);
    size += part.length;
    if (size >= limit) break;
  }
  return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}
