/**
 * What happens to the text of an answer on its way back, as pipes that take text in pieces (a
 * stream's deltas) or whole (a JSON answer, one push then end): restore the request's surrogates,
 * then count or redact personal data the model wrote. A pipe may hold a little text back: a
 * restorer the start of what may be a surrogate, a redactor the tail where an entity may still be
 * growing. `end` gives back everything held.
 */
import { ChunkedScanner, type SettledPart } from '../../pii/chunked-scan.js';
import { countEntity, type EntityCounts } from '../../pii/entity-selection.js';
import type { Entity } from '../../pii/entity-types.js';
import { StreamRestorer, type PseudonymScope } from '../../pii/operations.js';

export interface TextPipe {
  push(text: string): string;
  end(): string;
}

/** Which answer entities count: the policy's types above its score floor, minus what the request itself carried. */
export type EntityFilter = (entity: Entity) => boolean;

/**
 * Held back while scanning a stream for redaction: longer than any entity but a long e-mail
 * address, and short enough that the client still sees text flow (about 20-40 tokens behind).
 */
const redactionLookahead = 128;
/** Settled text kept before the unsettled part so context words still count. */
const redactionContext = 64;

export function restorePipe(scope: PseudonymScope): TextPipe {
  const restorer = new StreamRestorer(scope);
  return { push: (text) => restorer.push(text), end: () => restorer.end() };
}

/** Counts entities and lets the text through untouched and undelayed. */
export function detectPipe(accept: EntityFilter, counts: EntityCounts): TextPipe {
  const scanner = new ChunkedScanner({ overlap: redactionLookahead, context: redactionContext });
  const count = (part: SettledPart) => {
    for (const entity of part.entities) if (accept(entity)) countEntity(counts, entity.type);
  };
  return {
    push(text) {
      count(scanner.push(text));
      return text;
    },
    end() {
      count(scanner.end());
      return '';
    },
  };
}

/** Replaces each accepted entity by its typed placeholder, holding back the tail where one may be growing. */
export function redactPipe(accept: EntityFilter, counts: EntityCounts): TextPipe {
  const scanner = new ChunkedScanner({ overlap: redactionLookahead, context: redactionContext });
  const redact = (part: SettledPart): string => {
    let output = '';
    let cursor = 0;
    for (const entity of part.entities) {
      if (!accept(entity)) continue;
      const start = entity.start - part.offset;
      if (start < cursor) continue;
      output += `${part.text.slice(cursor, start)}[${entity.type}]`;
      cursor = entity.end - part.offset;
      countEntity(counts, entity.type);
    }
    return output + part.text.slice(cursor);
  };
  return { push: (text) => redact(scanner.push(text)), end: () => redact(scanner.end()) };
}

/** Pipes one after another: the first's output is the second's input. */
export function chainPipes(pipes: readonly TextPipe[]): TextPipe {
  if (pipes.length === 1) return pipes[0] as TextPipe;
  return {
    push(text) {
      let piece = text;
      for (const pipe of pipes) piece = pipe.push(piece);
      return piece;
    },
    end() {
      let piece = '';
      for (const pipe of pipes) piece = pipe.push(piece) + pipe.end();
      return piece;
    },
  };
}

/** A whole text through a fresh pipe. */
export function throughPipe(pipe: TextPipe, text: string): string {
  return pipe.push(text) + pipe.end();
}
