/**
 * The answer's way back through the PII plan: surrogates restored, personal data the model wrote
 * counted or redacted. Works on the OpenAI shapes: a whole chat or completion answer, and stream
 * chunks, where each choice's content and each tool call's arguments flow through their own pipe
 * and whatever a pipe still holds is let out with the choice's finishing chunk.
 */
import type { StreamChunk } from '../../spec/engine.js';
import type { JsonObject } from '../../spec/openai.js';
import type { PiiPlan } from './pii-plan.js';
import { throughPipe, type TextPipe } from './text-pipes.js';

type Json = JsonObject;

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
  const filter = (owner: Json, field: string) => {
    const text = owner[field];
    const pipe = typeof text === 'string' ? plan.answerPipe() : undefined;
    if (pipe === undefined) return;
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
    const message = asObject(record.message);
    if (message === undefined) continue;
    filter(message, 'content');
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        const fn = asObject(asObject(call)?.function);
        if (fn !== undefined) filter(fn, 'arguments');
      }
    }
  }
  return changed ? JSON.stringify(answer) : body;
}

/** Filters one streamed answer, chunk by chunk. */
export class StreamAnswerFilter {
  readonly #plan: PiiPlan;
  /** By "choice" or "choice:tool": one pipe per text that grows across chunks. */
  readonly #pipes = new Map<string, TextPipe>();
  /** The last content chunk, as a template for a chunk that lets out held text at the very end. */
  #template: Json | undefined;
  #completion = false;

  constructor(plan: PiiPlan) {
    this.#plan = plan;
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
    this.#template = parsed as Json;
    return changed ? { ...chunk, data: JSON.stringify(parsed) } : chunk;
  }

  /** Text still held when the stream ended without finishing a choice, as one last chunk. */
  drain(): StreamChunk | undefined {
    const template = this.#template;
    if (template === undefined || this.#pipes.size === 0) return undefined;
    const choices: Json[] = [];
    for (const [key, pipe] of this.#pipes) {
      const held = pipe.end();
      if (held === '') continue;
      const [choice = '0', tool] = key.split(':');
      const index = Number(choice);
      if (tool !== undefined) choices.push({ index, delta: { tool_calls: [{ index: Number(tool), function: { arguments: held } }] }, finish_reason: null });
      else choices.push(this.#completion ? { index, text: held, finish_reason: null } : { index, delta: { content: held }, finish_reason: null });
    }
    this.#pipes.clear();
    if (choices.length === 0) return undefined;
    return { data: JSON.stringify({ ...template, choices }) };
  }

  /** True when the choice's texts changed. */
  #filterChoice(choice: Json, index: number): boolean {
    const finishing = choice.finish_reason !== null && choice.finish_reason !== undefined;
    let changed = false;
    if (typeof choice.text === 'string' || (finishing && asObject(choice.delta) === undefined)) {
      this.#completion = true;
      changed = this.#flow(choice, 'text', `${index}`, finishing);
    }
    const delta = asObject(choice.delta);
    if (delta !== undefined) {
      if (this.#flow(delta, 'content', `${index}`, finishing)) changed = true;
      if (this.#flowToolCalls(delta, index, finishing)) changed = true;
    }
    return changed;
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
      if (this.#flow(fn, 'arguments', `${choice}:${tool}`, false)) changed = true;
    }
    if (!finishing) return changed;
    // Arguments still held for tool calls this chunk does not mention.
    for (const [key, pipe] of this.#pipes) {
      if (!key.startsWith(`${choice}:`)) continue;
      const held = pipe.end();
      this.#pipes.delete(key);
      if (held === '') continue;
      const list = Array.isArray(delta.tool_calls) ? (delta.tool_calls as unknown[]) : [];
      list.push({ index: Number(key.slice(key.indexOf(':') + 1)), function: { arguments: held } });
      delta.tool_calls = list;
      changed = true;
    }
    return changed;
  }
}
