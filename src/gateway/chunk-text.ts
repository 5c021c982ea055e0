/**
 * The generated text in one streamed chunk's JSON, read without parsing the chunk: safety and
 * provenance read every chunk, and a full JSON.parse per token was most of what they cost (the
 * relay otherwise passes chunks on untouched). Engines that parse chunks anyway (the HTTP engine
 * validates each) hand their reading over in `StreamChunk.text`; this reads the others' chunks. The shapes engines send — one choice whose `delta`
 * starts with `content` (after an optional `role`: vLLM, llama.cpp, TGI, Ollama), or a completion
 * choice whose `text` follows its `index` — are read directly; anything else (several choices, other
 * field orders, text fields elsewhere, escaped keys) is parsed, so for a well-formed chunk the
 * result equals `completionTextOf(JSON.parse(data))` (a truncated chunk may read where parsing throws).
 */
import { completionTextOf } from './token-estimator.js';

const anyTextKey = /"(?:content|text)"\s*:\s*"/g;
// Sticky: tried only where `"delta"` or `"choices"` is, so they cost little (and `test` allocates nothing).
const deltaContent = /"delta"\s*:\s*\{\s*(?:"role"\s*:\s*"[a-z]*"\s*,\s*)?"content"\s*:\s*"/y;
const choiceText = /"choices"\s*:\s*\[\s*\{\s*(?:"index"\s*:\s*\d+\s*,\s*)?"text"\s*:\s*"/y;

export function chunkTextOf(data: string): string {
  anyTextKey.lastIndex = 0;
  // No plain text key; an escaped one ("con\u0074ent") only parsing can read.
  if (!anyTextKey.test(data)) return data.includes('\\u') ? parsed(data) : '';
  // The first text field must be the one in the expected place: where its value starts.
  const start = anyTextKey.lastIndex;
  if (directValueAt(data, start) !== start || !plainEnvelope(data, start)) return parsed(data);
  let end = start;
  let escaped = false;
  for (; end < data.length; end += 1) {
    const code = data.charCodeAt(end);
    if (code === 0x22) break;
    if (code === 0x5c) {
      escaped = true;
      end += 1;
    }
  }
  // A second text field (another choice, both content and text): parse the whole chunk.
  anyTextKey.lastIndex = end + 1;
  if (end >= data.length || anyTextKey.test(data)) return parsed(data);
  const raw = data.slice(start, end);
  return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
}

const commonPrefix = '"delta":{"content":"';

/** Where the value of `delta.content` or of a first choice's `text` starts, when the chunk has that shape; else -1. */
function directValueAt(data: string, start: number): number {
  // Most engines write exactly this just before the text: checking it in place avoids a search.
  if (data.startsWith(commonPrefix, start - commonPrefix.length)) return start;
  const delta = data.indexOf('"delta"');
  const pattern = delta >= 0 ? deltaContent : choiceText;
  const from = delta >= 0 ? delta : data.indexOf('"choices"');
  if (from < 0) return -1;
  pattern.lastIndex = from;
  return pattern.test(data) ? pattern.lastIndex : -1;
}

/**
 * Nothing before the text that the fast path could misread: no escaped key ("con\u0074ent"), one
 * "choices", no "message" (which parsing would prefer over "delta").
 */
function plainEnvelope(data: string, start: number): boolean {
  const escape = data.indexOf('\\u');
  if (escape >= 0 && escape < start) return false;
  const choices = data.indexOf('"choices"');
  if (choices < 0 || choices > start || data.lastIndexOf('"choices"') !== choices) return false;
  return !data.includes('"message"');
}

function parsed(data: string): string {
  return completionTextOf(JSON.parse(data));
}
