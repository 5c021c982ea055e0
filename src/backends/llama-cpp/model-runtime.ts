/**
 * Loads one GGUF model in the background and owns everything llama.cpp allocated for it: the
 * model, one generation context with a bounded pool of sequences, and (lazily) an embedding
 * context. A load that fails leaves the runtime unhealthy with a reason; it never throws into the
 * event loop, so a bad file cannot take the gateway down.
 */
import { stat } from 'node:fs/promises';
import {
  getLlama,
  LlamaLogLevel,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { GgufBackendConfig } from '../../config/types.js';
import type { EngineHealth } from '../../spec/engine.js';
import { NaraError } from '../../spec/errors.js';
import { chatWrapperFor } from './chat-prompt.js';
import { SequencePool } from './sequence-pool.js';

/** More parallel sequences only add KV-cache memory on a CPU; four keep a small box responsive. */
export const maxSequences = 4;
/**
 * Below this size the per-token work is tiny and ggml's thread barriers dominate: on a 2-core box
 * two threads made a toy model 20x slower than one. Real models keep node-llama-cpp's default.
 */
const singleThreadModelBytes = 32 * 1024 * 1024;

export interface LoadedModel {
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  /** Tokens each sequence can hold: the prompt plus the answer must fit. */
  readonly contextSize: number;
  readonly pool: SequencePool<LlamaContextSequence>;
  readonly chatWrapper: ChatWrapper;
  readonly threads: number | undefined;
}

/** One Llama (native binding) per GPU mode for the whole process, shared by every GGUF back end. */
const llamas = new Map<GgufBackendConfig['gpu'], Promise<Llama>>();

function sharedLlama(gpu: GgufBackendConfig['gpu']): Promise<Llama> {
  let llama = llamas.get(gpu);
  if (llama === undefined) {
    // build 'never' + skipDownload: use the prebuilt binaries only, never compile or fetch anything.
    llama = getLlama({
      gpu: gpu === 'cpu' ? false : 'auto',
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
    });
    llama.catch(() => llamas.delete(gpu));
    llamas.set(gpu, llama);
  }
  return llama;
}

type State =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly loaded: LoadedModel }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'closed' };

export class ModelRuntime {
  private state: State = { kind: 'loading' };
  private readonly loading: Promise<LoadedModel | undefined>;
  private embedding: Promise<LlamaEmbeddingContext> | undefined;

  constructor(private readonly config: GgufBackendConfig) {
    // Caught here, so a failed load is a state, never an unhandled rejection.
    this.loading = this.load().then(
      (loaded) => {
        if (this.state.kind === 'closed') {
          void disposeLoaded(loaded);
          return undefined;
        }
        this.state = { kind: 'ready', loaded };
        return loaded;
      },
      (error: unknown) => {
        if (this.state.kind !== 'closed') this.state = { kind: 'failed', reason: describeLoadError(error) };
        return undefined;
      },
    );
  }

  health(): EngineHealth {
    switch (this.state.kind) {
      case 'ready':
        return { healthy: true };
      case 'loading':
        return { healthy: false, reason: 'model is still loading' };
      case 'failed':
        return { healthy: false, reason: this.state.reason };
      default:
        return { healthy: false, reason: 'engine is closed' };
    }
  }

  /** Waits for the load; throws `upstream_error` (retryable elsewhere) when there is no model. */
  async ready(): Promise<LoadedModel> {
    const loaded = await this.loading;
    if (loaded !== undefined && this.state.kind === 'ready') return loaded;
    const reason = this.state.kind === 'failed' ? this.state.reason : 'engine is closed';
    throw new NaraError('upstream_error', `Embedded engine ${this.config.id} has no model: ${reason}.`, {
      detail: { backend: this.config.id },
    });
  }

  /** The embedding context is created on first use: chat-only deployments never pay its memory. */
  async embeddingContext(): Promise<LlamaEmbeddingContext> {
    const loaded = await this.ready();
    if (this.embedding === undefined) {
      // One batch as large as the context: pooled (BERT-style) embedding models must see a whole
      // input in a single batch, or llama.cpp refuses inputs longer than the default 512.
      const created = loaded.model.createEmbeddingContext({
        contextSize: this.config.contextSize,
        batchSize: this.config.contextSize,
        threads: loaded.threads,
      });
      this.embedding = created;
      // A failed creation is retried by the next call rather than cached.
      created.catch(() => {
        if (this.embedding === created) this.embedding = undefined;
      });
    }
    return this.embedding;
  }

  async close(): Promise<void> {
    const previous = this.state;
    this.state = { kind: 'closed' };
    if (previous.kind !== 'ready') return; // a load still running disposes itself when it ends
    previous.loaded.pool.close(new NaraError('upstream_error', `Embedded engine ${this.config.id} is closed.`));
    const embedding = this.embedding;
    this.embedding = undefined;
    if (embedding !== undefined) await embedding.then((ctx) => ctx.dispose()).catch(() => undefined);
    await disposeLoaded(previous.loaded);
  }

  private async load(): Promise<LoadedModel> {
    const file = await stat(this.config.ggufPath);
    if (!file.isFile()) throw new Error(`${this.config.ggufPath} is not a file`);
    const llama = await sharedLlama(this.config.gpu);
    const model = await llama.loadModel({
      modelPath: this.config.ggufPath,
      gpuLayers: this.config.gpu === 'cpu' ? 0 : 'auto',
    });
    try {
      const sequences = Math.max(1, Math.min(this.config.maxConcurrency, maxSequences));
      const threads = model.size < singleThreadModelBytes ? 1 : undefined;
      const context = await model.createContext({ contextSize: this.config.contextSize, sequences, threads });
      const items = Array.from({ length: sequences }, () => context.getSequence());
      const pool = new SequencePool<LlamaContextSequence>(items, (sequence) => sequence.clearHistory());
      return { llama, model, context, contextSize: context.contextSize, pool, chatWrapper: chatWrapperFor(model, llama), threads };
    } catch (error) {
      await model.dispose().catch(() => undefined);
      throw error;
    }
  }
}

async function disposeLoaded(loaded: LoadedModel): Promise<void> {
  await loaded.context.dispose().catch(() => undefined);
  await loaded.model.dispose().catch(() => undefined);
}

/** A short reason for /readyz and logs: the file and what is wrong, never request data. */
function describeLoadError(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'model file not found';
  if (code === 'EACCES') return 'model file not readable';
  const message = error instanceof Error ? error.message : String(error);
  return `model failed to load: ${message.slice(0, 200)}`;
}
