/**
 * One chat or text completion on one context sequence, reporting each decoded piece as it is
 * produced. Prompt tokens are counted by tokenising exactly what is evaluated; completion tokens by
 * the sequence's token meter (every sampled token, including an end-of-generation or stop token
 * that never reaches the text).
 */
import {
  LlamaChat,
  LlamaCompletion,
  type ChatHistoryItem,
  type LLamaContextualRepeatPenalty,
  type LlamaContextSequence,
  type LlamaGrammar,
  type Token,
} from 'node-llama-cpp';
import { NaraError } from '../../spec/errors.js';
import type { GenerationRequest } from '../../spec/openai.js';
import { toChatHistory } from './chat-prompt.js';
import type { LoadedModel } from './model-runtime.js';
import type { FinishReason, StreamPiece } from './openai-shapes.js';
import type { SamplingSettings } from './request-options.js';

export type PreparedPrompt =
  | { readonly kind: 'chat'; readonly history: ChatHistoryItem[]; readonly promptTokens: number }
  | { readonly kind: 'completion'; readonly tokens: Token[]; readonly promptTokens: number };

export interface GenerationOutcome {
  readonly text: string;
  readonly reasoning: string;
  readonly finishReason: FinishReason;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

function completionPrompt(request: GenerationRequest): string {
  const prompt = request.prompt;
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  if (Array.isArray(prompt) && prompt.every((p) => typeof p === 'string')) {
    throw new NaraError('unsupported_parameter', 'Several prompts in one request are not supported by the embedded llama.cpp engine.', { param: 'prompt' });
  }
  if (Array.isArray(prompt)) {
    throw new NaraError('unsupported_parameter', 'Token-array prompts are not supported by the embedded llama.cpp engine.', { param: 'prompt' });
  }
  throw new NaraError('invalid_request', 'prompt must be a string.', { param: 'prompt' });
}

/** Renders and counts the prompt; refuses one that leaves no room in the context for an answer. */
export function preparePrompt(loaded: LoadedModel, operation: 'chat' | 'completion', request: GenerationRequest): PreparedPrompt {
  let prepared: PreparedPrompt;
  if (operation === 'chat') {
    const history = toChatHistory(request.messages);
    const { contextText } = loaded.chatWrapper.generateContextState({ chatHistory: history });
    prepared = { kind: 'chat', history, promptTokens: contextText.tokenize(loaded.model.tokenizer).length };
  } else {
    // Tokenised here, as llama.cpp's server does (SentencePiece's leading-space prefix kept, so
    // "Once" is "▁Once" as in training); LlamaCompletion would trim that space from a string.
    // LlamaCompletion prepends BOS itself, so it is counted but not included.
    const bos = loaded.model.tokens.shouldPrependBosToken && loaded.model.tokens.bos !== null;
    const tokens = loaded.model.tokenize(completionPrompt(request), false);
    prepared = { kind: 'completion', tokens, promptTokens: tokens.length + (bos ? 1 : 0) };
  }
  if (prepared.promptTokens >= loaded.contextSize) {
    throw new NaraError(
      'upstream_rejected',
      `The prompt is ${prepared.promptTokens} tokens; this model's context holds ${loaded.contextSize}.`,
      { param: operation === 'chat' ? 'messages' : 'prompt' },
    );
  }
  return prepared;
}

function repeatPenaltyOf(settings: SamplingSettings): false | LLamaContextualRepeatPenalty {
  if (settings.frequencyPenalty === 0 && settings.presencePenalty === 0) return false;
  // OpenAI's penalties are additive on the logits, which is what llama.cpp's are; no multiplicative one.
  return { penalty: 1, frequencyPenalty: settings.frequencyPenalty, presencePenalty: settings.presencePenalty, lastTokens: 256 };
}

export interface RunOptions {
  readonly settings: SamplingSettings;
  readonly grammar: LlamaGrammar | undefined;
  readonly signal: AbortSignal;
  /** Called synchronously for each non-empty decoded piece, in order. */
  readonly onPiece: (piece: StreamPiece) => void;
}

export async function runGeneration(loaded: LoadedModel, sequence: LlamaContextSequence, prompt: PreparedPrompt, options: RunOptions): Promise<GenerationOutcome> {
  const { settings } = options;
  // Never let the answer outgrow the context: no context shift rewrites the prompt mid-answer.
  const room = loaded.contextSize - prompt.promptTokens;
  const maxTokens = Math.min(settings.maxTokens ?? room, room);
  const common = {
    signal: options.signal,
    stopOnAbortSignal: false,
    maxTokens,
    temperature: settings.temperature,
    topP: settings.topP,
    topK: settings.topK,
    minP: settings.minP,
    seed: settings.seed,
    customStopTriggers: settings.stop,
    repeatPenalty: repeatPenaltyOf(settings),
    grammar: options.grammar,
  };
  const outputBefore = sequence.tokenMeter.usedOutputTokens;
  let text = '';
  let reasoning = '';
  let callbackTokens = 0;
  const emitText = (piece: string): void => {
    if (piece === '') return;
    text += piece;
    options.onPiece({ text: piece });
  };

  let stopReason: string;
  if (prompt.kind === 'chat') {
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper, autoDisposeSequence: false });
    try {
      const result = await chat.generateResponse(prompt.history, {
        ...common,
        onResponseChunk: (chunk) => {
          callbackTokens += chunk.tokens.length;
          if (chunk.type === undefined) return emitText(chunk.text);
          // Thought segments (reasoning models) go out as `reasoning_content`; other segments are dropped.
          if (chunk.segmentType === 'thought' && chunk.text !== '') {
            reasoning += chunk.text;
            options.onPiece({ reasoning: chunk.text });
          }
        },
      });
      stopReason = result.metadata.stopReason;
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  } else {
    const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const result = await completion.generateCompletionWithMeta(prompt.tokens, {
        ...common,
        disableContextShift: true,
        onToken: (tokens) => (callbackTokens += tokens.length),
        onTextChunk: emitText,
      });
      stopReason = result.metadata.stopReason;
    } finally {
      completion.dispose({ disposeSequence: false });
    }
  }

  const metered = sequence.tokenMeter.usedOutputTokens - outputBefore;
  return {
    text,
    reasoning,
    finishReason: stopReason === 'maxTokens' ? 'length' : 'stop',
    promptTokens: prompt.promptTokens,
    completionTokens: Math.max(metered, callbackTokens),
  };
}
