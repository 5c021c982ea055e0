/**
 * The texts of a request that can carry personal data, in one fixed order. In chat messages that
 * is every string but the structural ones (role, ids, names of tools, part types): content and
 * its text and refusal parts, refusals, reasoning, earlier tool-call and function-call arguments
 * (as text or as JSON objects). Image and audio parts are skipped: base64 is not text. Then a
 * completion prompt or embedding input, `suffix`, `user`, predicted output (`prediction`) and
 * documents given for retrieval (`documents`, vLLM). Tool and response-format schemas are the
 * developer's, not the user's, and are not read (README, "Personal data").
 * `mapRequestTexts` rebuilds the request with replaced texts, copying only what changed, so an
 * unchanged request stays the very same object (and its raw bytes can still be sent as they are).
 */
import type { JsonObject } from '../../spec/openai.js';
import type { ParsedRequest } from '../stages/parse-request.js';

export interface RequestTexts {
  readonly texts: readonly string[];
  /** Input given as token ids: it cannot be read, so it cannot be checked. */
  readonly tokenInput: boolean;
}

type TextMap = (text: string) => string;

/** Keys whose values say what something is, not what anyone wrote. */
const structuralKeys = new Set(['role', 'type', 'id', 'tool_call_id', 'name', 'cache_control']);
/** Content parts that are not text (base64 data URLs, file ids). */
const skippedPartTypes = new Set(['image_url', 'input_audio', 'file', 'image', 'audio']);
/** Top-level fields read besides messages, prompt and input. */
const freeTextFields = ['suffix', 'user', 'prediction', 'documents'] as const;

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
export function mapRequestTexts(request: ParsedRequest, map: (text: string, index: number) => string): ParsedRequest {
  let index = 0;
  return visit(request, (text) => map(text, index++)).request;
}

function visit(request: ParsedRequest, map: TextMap): { request: ParsedRequest; tokenInput: boolean } {
  let changed: JsonObject | undefined;
  const set = (field: string, value: unknown) => {
    changed ??= { ...request };
    changed[field] = value;
  };
  let tokenInput = false;
  const messages = request.messages;
  if (Array.isArray(messages)) {
    const mapped = mapArray(messages, (message) => mapMessage(message, map));
    if (mapped !== messages) set('messages', mapped);
  }
  for (const field of ['prompt', 'input'] as const) {
    const value = request[field];
    if (typeof value === 'string') {
      const mapped = map(value);
      if (mapped !== value) set(field, mapped);
    } else if (Array.isArray(value)) {
      if (value.every((item) => typeof item === 'string')) {
        const mapped = mapArray(value as string[], map);
        if (mapped !== value) set(field, mapped);
      } else tokenInput = true;
    }
  }
  for (const field of freeTextFields) {
    const value = request[field];
    if (value === undefined) continue;
    const mapped = mapDeep(value, map);
    if (mapped !== value) set(field, mapped);
  }
  return { request: (changed ?? request) as ParsedRequest, tokenInput };
}

function mapMessage(message: unknown, map: TextMap): unknown {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return message;
  return mapObject(message as JsonObject, map);
}

/** Every string of an object but the structural ones; content parts that are not text are left whole. */
function mapObject(record: JsonObject, map: TextMap): JsonObject {
  if (typeof record.type === 'string' && skippedPartTypes.has(record.type)) return record;
  let changed: JsonObject | undefined;
  for (const key of Object.keys(record)) {
    if (structuralKeys.has(key)) continue;
    const value = record[key];
    const mapped = mapDeep(value, map);
    if (mapped !== value) {
      changed ??= { ...record };
      changed[key] = mapped;
    }
  }
  return changed ?? record;
}

function mapDeep(value: unknown, map: TextMap): unknown {
  if (typeof value === 'string') return value === '' ? value : map(value);
  if (Array.isArray(value)) return mapArray(value, (item) => mapDeep(item, map));
  if (typeof value === 'object' && value !== null) return mapObject(value as JsonObject, map);
  return value;
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
