/**
 * The answer's way back through the PII plan: surrogates restored, personal data the model wrote
 * counted or redacted. Works on the OpenAI shapes: a whole chat or completion answer, and stream
 * chunks, where each choice's texts (content, reasoning, refusal, each tool call's and the legacy
 * function call's arguments) flow through their own pipe, and whatever a pipe still holds is let
 * out with the choice's finishing chunk. Under `answers: redact`, token log-probabilities are
 * dropped: they spell the answer out token by token, past the redaction.
 */
import type { StreamChunk } from '../../spec/engine.js';
import type { JsonObject } from '../../spec/openai.js';
import type { PiiPlan } from './pii-plan.js';
import { throughPipe, type TextPipe } from './text-pipes.js';
import { completionTextOf } from '../token-estimator.js';

type Json = JsonObject;

/** Text fields of a chat message or delta that the answer filter reads. */
const messageTextFields = ['content', 'reasoning_content', 'reasoning', 'refusal'] as const;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** A whole answer's JSON text, filtered; the same text when nothing changed. */
export function filterAnswerBody(body: string, plan: PiiPlan): string {
  if (!plan.filtersAnswers) return body;
  plan.answerFiltered = true;
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return body; // Not ours to judge: the relay reports malformed answers.
  }
  const choices = asObject(answer)?.choices;
  if (!Array.isArray(choices)) return body;
  let changed = false;
  const filter = (owner: Json | undefined, field: string) => {
    const text = owner?.[field];
    const pipe = typeof text === 'string' ? plan.answerPipe() : undefined;
    if (owner === undefined || pipe === undefined) return;
    const filtered = throughPipe(pipe, text as string);
    if (filtered !== text) {
      owner[field] = filtered;
      changed = true;
    }
  };
  for (const choice of choices) {
    const record = asObject(choice);
    if (record === undefined) continue;
    filter(record, 'text');
    if (plan.answerMode === 'redact' && record.logprobs !== undefined && record.logprobs !== null) {
      record.logprobs = null;
      changed = true;
    }
    const message = asObject(record.message);
    if (message === undefined) continue;
    for (const field of messageTextFields) filter(message, field);
    filter(asObject(message.function_call), 'arguments');
    if (Array.isArray(message.tool_calls)) for (const call of message.tool_calls) filter(asObject(asObject(call)?.function), 'arguments');
  }
  return changed ? JSON.stringify(answer) : body;
}

/** Filters one streamed answer, chunk by chunk. */
export class StreamAnswerFilter {
  readonly #plan: PiiPlan;
  readonly #completion: boolean;
  /** One pipe per text that grows across chunks, by "choice|field" or "choice|tool|index". */
  readonly #pipes = new Map<string, TextPipe>();
  /** The last content chunk without its usage: the shape of a chunk that lets held text out at the very end. */
  #template: Json | undefined;

  constructor(plan: PiiPlan, operation: 'chat' | 'completion') {
    this.#plan = plan;
    this.#completion = operation === 'completion';
  }

  transform(chunk: StreamChunk): StreamChunk {
    if (chunk.usageOnly === true) return chunk;
    let parsed: unknown;
    try {
      parsed = JSON.parse(chunk.data);
    } catch {
      return chunk;
    }
    const choices = asObject(parsed)?.choices;
    if (!Array.isArray(choices)) return chunk;
    let changed = false;
    for (const choice of choices) {
      const record = asObject(choice);
      if (record === undefined) continue;
      const index = typeof record.index === 'number' ? record.index : 0;
      if (this.#filterChoice(record, index)) changed = true;
    }
    const { usage: _usage, ...template } = parsed as Json;
    this.#template = template;
    // The engine's reading of the text (`text`) is stale once the text changed: read again.
    return changed ? { ...chunk, data: JSON.stringify(parsed), text: completionTextOf(parsed) } : chunk;
  }

  /** Text still held when the stream ended without finishing a choice, as one last chunk. */
  drain(): StreamChunk | undefined {
    const template = this.#template;
    if (template === undefined || this.#pipes.size === 0) return undefined;
    const byChoice = new Map<number, Json>();
    for (const [key, pipe] of this.#pipes) {
      const held = pipe.end();
      if (held === '') continue;
      const [choiceText = '0', field = 'content', tool] = key.split('|');
      const index = Number(choiceText);
      let choice = byChoice.get(index);
      if (choice === undefined) {
        choice = this.#completion ? { index, text: '', finish_reason: null } : { index, delta: {}, finish_reason: null };
        byChoice.set(index, choice);
      }
      if (this.#completion) choice.text = `${String(choice.text)}${held}`;
      else placeHeld(choice.delta as Json, field, tool, held);
    }
    this.#pipes.clear();
    if (byChoice.size === 0) return undefined;
    return { data: JSON.stringify({ ...template, choices: [...byChoice.values()] }) };
  }

  /** True when the choice's texts changed. */
  #filterChoice(choice: Json, index: number): boolean {
    const finishing = choice.finish_reason !== null && choice.finish_reason !== undefined;
    let changed = false;
    if (this.#completion) {
      changed = this.#flow(choice, 'text', `${index}|text`, finishing);
    } else {
      let delta = asObject(choice.delta);
      if (delta === undefined && finishing && this.#holdsFor(index)) delta = choice.delta = {};
      if (delta !== undefined) {
        for (const field of messageTextFields) if (this.#flow(delta, field, `${index}|${field}`, finishing)) changed = true;
        const functionCall = asObject(delta.function_call);
        if (functionCall !== undefined && this.#flow(functionCall, 'arguments', `${index}|function_call`, false)) changed = true;
        if (this.#flowToolCalls(delta, index, finishing)) changed = true;
      }
    }
    if (this.#plan.answerMode === 'redact' && choice.logprobs !== undefined && choice.logprobs !== null) {
      choice.logprobs = null;
      changed = true;
    }
    return changed;
  }

  #holdsFor(index: number): boolean {
    for (const key of this.#pipes.keys()) if (key.startsWith(`${index}|`)) return true;
    return false;
  }

  /** Passes `owner[field]` through the pipe `key`; on a finishing chunk, appends what the pipe held. */
  #flow(owner: Json, field: string, key: string, finishing: boolean): boolean {
    const text = owner[field];
    let pipe = this.#pipes.get(key);
    if (pipe === undefined) {
      if (typeof text !== 'string') return false;
      pipe = this.#plan.answerPipe();
      if (pipe === undefined) return false;
      this.#pipes.set(key, pipe);
    }
    let output = typeof text === 'string' ? pipe.push(text) : '';
    if (finishing) {
      output += pipe.end();
      this.#pipes.delete(key);
    }
    if (output === text || (text === undefined && output === '')) return false;
    owner[field] = output;
    return true;
  }

  #flowToolCalls(delta: Json, choice: number, finishing: boolean): boolean {
    let changed = false;
    const calls = Array.isArray(delta.tool_calls) ? (delta.tool_calls as unknown[]) : [];
    for (const call of calls) {
      const record = asObject(call);
      const fn = asObject(record?.function);
      if (record === undefined || fn === undefined) continue;
      const tool = typeof record.index === 'number' ? record.index : 0;
      if (this.#flow(fn, 'arguments', `${choice}|tool|${tool}`, false)) changed = true;
    }
    if (!finishing) return changed;
    // Whatever is still held for this choice's arguments (tool calls this chunk does not mention, the function call).
    for (const [key, pipe] of this.#pipes) {
      if (!key.startsWith(`${choice}|`)) continue;
      const held = pipe.end();
      this.#pipes.delete(key);
      if (held === '') continue;
      const [, field = '', tool] = key.split('|');
      placeHeld(delta, field, tool, held);
      changed = true;
    }
    return changed;
  }
}

/** Appends held text to the delta field its pipe belongs to. */
function placeHeld(delta: Json, field: string, tool: string | undefined, held: string): void {
  if (field === 'tool') {
    const list = Array.isArray(delta.tool_calls) ? (delta.tool_calls as unknown[]) : [];
    list.push({ index: Number(tool), function: { arguments: held } });
    delta.tool_calls = list;
  } else if (field === 'function_call') {
    const call = asObject(delta.function_call) ?? {};
    call.arguments = `${typeof call.arguments === 'string' ? call.arguments : ''}${held}`;
    delta.function_call = call;
  } else {
    delta[field] = `${typeof delta[field] === 'string' ? (delta[field] as string) : ''}${held}`;
  }
}
