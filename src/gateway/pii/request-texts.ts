/**
 * The texts of a request that can carry personal data, in one fixed order: chat message contents
 * (plain or text parts) and the arguments of earlier tool calls, a completion prompt, embedding
 * input. `mapRequestTexts` rebuilds the request with replaced texts, copying only what changed, so
 * an unchanged request stays the very same object (and its raw bytes can still be sent as they are).
 */
import type { JsonObject } from '../../spec/openai.js';
import type { ParsedRequest } from '../stages/parse-request.js';

export interface RequestTexts {
  readonly texts: readonly string[];
  /** Input given as token ids: it cannot be read, so it cannot be checked. */
  readonly tokenInput: boolean;
}

type TextMap = (text: string, index: number) => string;

/** Every text, in the order `mapRequestTexts` visits them. */
export function requestTexts(request: ParsedRequest): RequestTexts {
  const texts: string[] = [];
  const tokenInput = visit(request, (text) => {
    texts.push(text);
    return text;
  }).tokenInput;
  return { texts, tokenInput };
}

/** `request` with each text replaced by `map(text, index)`; the same object when nothing changed. */
export function mapRequestTexts(request: ParsedRequest, map: TextMap): ParsedRequest {
  return visit(request, map).request;
}

function visit(request: ParsedRequest, map: TextMap): { request: ParsedRequest; tokenInput: boolean } {
  let index = 0;
  const next: (text: string) => string = (text) => map(text, index++);
  const messages = request.messages;
  if (Array.isArray(messages)) {
    const mapped = mapArray(messages, (message) => mapMessage(message, next));
    return { request: mapped === messages ? request : ({ ...request, messages: mapped } as ParsedRequest), tokenInput: false };
  }
  const field = 'prompt' in request ? 'prompt' : 'input';
  const value = request[field];
  if (typeof value === 'string') {
    const mapped = next(value);
    return { request: mapped === value ? request : ({ ...request, [field]: mapped } as ParsedRequest), tokenInput: false };
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    const mapped = mapArray(value as string[], next);
    return { request: mapped === value ? request : ({ ...request, [field]: mapped } as ParsedRequest), tokenInput: false };
  }
  return { request, tokenInput: Array.isArray(value) };
}

function mapMessage(message: unknown, map: (text: string) => string): unknown {
  if (typeof message !== 'object' || message === null) return message;
  const record = message as JsonObject;
  let changed: JsonObject | undefined;
  const content = record.content;
  if (typeof content === 'string') {
    const mapped = map(content);
    if (mapped !== content) changed = { ...record, content: mapped };
  } else if (Array.isArray(content)) {
    const mapped = mapArray(content, (part) => mapTextPart(part, map));
    if (mapped !== content) changed = { ...record, content: mapped };
  }
  const toolCalls = record.tool_calls;
  if (Array.isArray(toolCalls)) {
    const mapped = mapArray(toolCalls, (call) => mapToolCall(call, map));
    if (mapped !== toolCalls) changed = { ...(changed ?? record), tool_calls: mapped };
  }
  return changed ?? message;
}

function mapTextPart(part: unknown, map: (text: string) => string): unknown {
  const text = (part as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return part;
  const mapped = map(text);
  return mapped === text ? part : { ...(part as JsonObject), text: mapped };
}

function mapToolCall(call: unknown, map: (text: string) => string): unknown {
  const fn = (call as { function?: unknown } | null)?.function;
  const args = (fn as { arguments?: unknown } | null | undefined)?.arguments;
  if (typeof args !== 'string') return call;
  const mapped = map(args);
  return mapped === args ? call : { ...(call as JsonObject), function: { ...(fn as JsonObject), arguments: mapped } };
}

/** `items` mapped; the same array when every item came back unchanged. */
function mapArray<T>(items: readonly T[], map: (item: T) => T): T[] {
  let out: T[] | undefined;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as T;
    const mapped = map(item);
    if (out === undefined && mapped !== item) out = items.slice(0, index);
    out?.push(mapped);
  }
  return out ?? (items as T[]);
}
