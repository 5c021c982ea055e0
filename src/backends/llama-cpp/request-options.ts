/**
 * Reads the generation parameters of an OpenAI request into what llama.cpp can do, and refuses
 * (with `unsupported_parameter`) the ones this engine cannot honour, rather than silently ignoring
 * them: a client asking for tools or several choices must learn it did not get them.
 */
import { NaraError } from '../../spec/errors.js';
import type { GenerationRequest, JsonObject } from '../../spec/openai.js';

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly schema: JsonObject };

export interface SamplingSettings {
  /** What the client allowed; the engine further caps it to the room left in the context. */
  readonly maxTokens: number | undefined;
  readonly temperature: number;
  readonly topP: number | undefined;
  readonly topK: number | undefined;
  readonly minP: number | undefined;
  readonly seed: number | undefined;
  readonly stop: readonly string[];
  readonly frequencyPenalty: number;
  readonly presencePenalty: number;
  readonly responseFormat: ResponseFormat;
}

function unsupported(param: string, message: string): NaraError {
  return new NaraError('unsupported_parameter', message, { param });
}

function invalid(param: string, message: string): NaraError {
  return new NaraError('invalid_request', message, { param });
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/** A number in [min, max], or undefined when absent. */
function numberIn(request: JsonObject, param: string, min: number, max: number): number | undefined {
  const value = request[param];
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(param, `${param} must be a number between ${min} and ${max}.`);
  }
  return value;
}

function positiveInteger(request: JsonObject, param: string): number | undefined {
  const value = request[param];
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(param, `${param} must be a positive integer.`);
  }
  return value;
}

/** Parameters whose mere presence (with a non-trivial value) asks for something not built here. */
function refuseUnsupported(operation: 'chat' | 'completion', request: JsonObject): void {
  const tools = request.tools;
  if (Array.isArray(tools) ? tools.length > 0 : !isAbsent(tools)) {
    throw unsupported('tools', 'Tool calling is not supported by the embedded llama.cpp engine.');
  }
  const functions = request.functions;
  if (Array.isArray(functions) ? functions.length > 0 : !isAbsent(functions)) {
    throw unsupported('functions', 'Function calling is not supported by the embedded llama.cpp engine.');
  }
  for (const param of ['tool_choice', 'function_call']) {
    const value = request[param];
    if (!isAbsent(value) && value !== 'none') {
      throw unsupported(param, `${param} is not supported by the embedded llama.cpp engine.`);
    }
  }
  for (const param of ['n', 'best_of']) {
    const value = request[param];
    if (!isAbsent(value) && value !== 1) {
      throw unsupported(param, `${param} other than 1 is not supported by the embedded llama.cpp engine.`);
    }
  }
  // Chat sends `logprobs: true`; completions send the number of alternatives wanted.
  const logprobs = request.logprobs;
  if (!isAbsent(logprobs) && logprobs !== false && logprobs !== 0) {
    throw unsupported('logprobs', 'logprobs are not supported by the embedded llama.cpp engine.');
  }
  if (!isAbsent(request.top_logprobs) && request.top_logprobs !== 0) {
    throw unsupported('top_logprobs', 'top_logprobs are not supported by the embedded llama.cpp engine.');
  }
  const logitBias = request.logit_bias;
  if (!isAbsent(logitBias) && (typeof logitBias !== 'object' || logitBias === null || Object.keys(logitBias).length > 0)) {
    throw unsupported('logit_bias', 'logit_bias is not supported by the embedded llama.cpp engine.');
  }
  if (!isAbsent(request.audio) || (Array.isArray(request.modalities) && request.modalities.some((m) => m !== 'text'))) {
    throw unsupported('modalities', 'The embedded llama.cpp engine answers with text only.');
  }
  if (operation === 'completion') {
    if (request.echo === true) throw unsupported('echo', 'echo is not supported by the embedded llama.cpp engine.');
    if (typeof request.suffix === 'string' && request.suffix !== '') {
      throw unsupported('suffix', 'suffix (infill) is not supported by the embedded llama.cpp engine.');
    }
  }
}

function readStop(request: JsonObject): string[] {
  const stop = request.stop;
  if (isAbsent(stop)) return [];
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || list.length > 16 || !list.every((s): s is string => typeof s === 'string')) {
    throw invalid('stop', 'stop must be a string or an array of at most 16 strings.');
  }
  return list.filter((s) => s !== '');
}

function readResponseFormat(request: JsonObject): ResponseFormat {
  const format = request.response_format;
  if (isAbsent(format)) return { type: 'text' };
  const type = typeof format === 'object' && format !== null ? (format as JsonObject).type : undefined;
  if (type === 'text' || type === 'json_object') return { type };
  if (type === 'json_schema') {
    const jsonSchema = (format as JsonObject).json_schema;
    const schema = typeof jsonSchema === 'object' && jsonSchema !== null ? (jsonSchema as JsonObject).schema : undefined;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw invalid('response_format', 'response_format.json_schema.schema must be a JSON Schema object.');
    }
    return { type: 'json_schema', schema: schema as JsonObject };
  }
  throw unsupported('response_format', `response_format type ${String(type)} is not supported by the embedded llama.cpp engine.`);
}

export function readSamplingSettings(operation: 'chat' | 'completion', request: GenerationRequest): SamplingSettings {
  refuseUnsupported(operation, request);
  const seed = request.seed;
  if (!isAbsent(seed) && (typeof seed !== 'number' || !Number.isInteger(seed))) throw invalid('seed', 'seed must be an integer.');
  const topP = numberIn(request, 'top_p', 0, 1);
  return {
    maxTokens: positiveInteger(request, 'max_completion_tokens') ?? positiveInteger(request, 'max_tokens'),
    // OpenAI samples at temperature 1 unless told otherwise; node-llama-cpp would default to greedy.
    temperature: numberIn(request, 'temperature', 0, 2) ?? 1,
    topP: topP === 1 ? undefined : topP,
    topK: numberIn(request, 'top_k', 0, Number.MAX_SAFE_INTEGER),
    minP: numberIn(request, 'min_p', 0, 1),
    // llama.cpp seeds are 32-bit; OpenAI's are any integer.
    seed: typeof seed === 'number' ? Number(BigInt.asUintN(32, BigInt(seed))) : undefined,
    stop: readStop(request),
    frequencyPenalty: numberIn(request, 'frequency_penalty', -2, 2) ?? 0,
    presencePenalty: numberIn(request, 'presence_penalty', -2, 2) ?? 0,
    responseFormat: readResponseFormat(request),
  };
}
