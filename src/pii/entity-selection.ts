/**
 * Which entities an operation acts on: the caller's precomputed ones or a fresh scan, above a score
 * floor, in text order and without overlaps, so every operation can rebuild the text left to right.
 */
import type { Entity, EntityType } from './entity-types.js';
import { scan } from './scanner.js';

export interface SelectOptions {
  /** Entities already found in this text (e.g. by a policy step); default `scan(text)`. */
  readonly entities?: readonly Entity[];
  /** Entities scored below this are left alone; default 0.5. */
  readonly minScore?: number;
}

/** How many entities of each type an operation replaced. */
export type EntityCounts = Partial<Record<EntityType, number>>;

export const defaultMinScore = 0.5;

/**
 * The entities to act on. Precomputed lists come from outside the scanner, so out-of-range spans
 * are dropped and overlaps resolved (earliest first, longer first on a tie) rather than trusted.
 */
export function selectEntities(text: string, options: SelectOptions = {}): Entity[] {
  const minScore = options.minScore ?? defaultMinScore;
  const candidates = (options.entities ?? scan(text))
    .filter((entity) => entity.score >= minScore && entity.start >= 0 && entity.start < entity.end && entity.end <= text.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const selected: Entity[] = [];
  let cursor = 0;
  for (const entity of candidates) {
    if (entity.start < cursor) continue;
    selected.push(entity);
    cursor = entity.end;
  }
  return selected;
}

export function countEntity(counts: EntityCounts, type: EntityType): void {
  counts[type] = (counts[type] ?? 0) + 1;
}

/** `text` with each selected entity replaced by `replace(entity's text, entity)`. */
export function replaceEntities(text: string, options: SelectOptions, replace: (value: string, entity: Entity) => string): { text: string; counts: EntityCounts } {
  const counts: EntityCounts = {};
  let output = '';
  let cursor = 0;
  for (const entity of selectEntities(text, options)) {
    output += text.slice(cursor, entity.start) + replace(text.slice(entity.start, entity.end), entity);
    cursor = entity.end;
    countEntity(counts, entity.type);
  }
  return { text: output + text.slice(cursor), counts };
}
