/**
 * When a model is exposed under an alias, the engine's answers name its own model; clients should
 * see the name they asked for. Engines write the top-level `"model":"…"` before any nested object,
 * and text inside JSON strings has its quotes escaped, so the first raw occurrence is the right one.
 */
import type { StreamChunk } from '../spec/engine.js';

export interface ModelRenamer {
  body(text: string): string;
  chunk(chunk: StreamChunk): StreamChunk;
}

const identity: ModelRenamer = { body: (text) => text, chunk: (chunk) => chunk };

export function modelRenamer(upstream: string, exposed: string): ModelRenamer {
  if (upstream === exposed) return identity;
  const pattern = new RegExp(`"model"\\s*:\\s*${escapeRegExp(JSON.stringify(upstream))}`);
  const replacement = `"model":${JSON.stringify(exposed)}`;
  const body = (text: string) => text.replace(pattern, replacement);
  return { body, chunk: (chunk) => ({ ...chunk, data: body(chunk.data) }) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
