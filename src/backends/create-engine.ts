/** Builds the engine for a back end's configuration: the one place that knows every engine kind. */
import type { Engine } from '../spec/engine.js';
import type { BackendConfig } from '../config/types.js';
import { OpenAiHttpEngine } from './openai-http/http-engine.js';

export async function createEngine(config: BackendConfig): Promise<Engine> {
  if (config.kind === 'http') return new OpenAiHttpEngine(config);
  // Loaded lazily: node-llama-cpp is large and only needed when a GGUF back end is configured.
  const { createLlamaCppEngine } = await import('./llama-cpp/llama-cpp-engine.js');
  return createLlamaCppEngine(config);
}
