/**
 * When candidates overlap (a 12-digit number that is both a My Number and a CCCD, a phone inside a
 * longer token), keep the most trusted: highest score, then check-digit validated, then longest.
 */
import type { Entity } from './entity-types.js';

const maxCluster = 64;

function better(a: Entity, b: Entity): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.validated !== b.validated) return a.validated ? -1 : 1;
  const lengths = b.end - b.start - (a.end - a.start);
  return lengths !== 0 ? lengths : a.start - b.start;
}

/** The non-overlapping entities to report, in text order. Overlaps are resolved per cluster, so the cost stays linear in clusters. */
export function resolveOverlaps(candidates: readonly Entity[]): Entity[] {
  const ordered = [...candidates].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Entity[] = [];
  let cluster: Entity[] = [];
  let clusterEnd = -1;
  const flush = (): void => {
    const chosen: Entity[] = [];
    for (const entity of cluster.sort(better)) {
      if (chosen.every((other) => entity.end <= other.start || entity.start >= other.end)) chosen.push(entity);
    }
    for (const entity of chosen.sort((a, b) => a.start - b.start)) {
      const previous = kept[kept.length - 1];
      if (previous === undefined || entity.start >= previous.end) kept.push(entity);
    }
    cluster = [];
  };
  for (const entity of ordered) {
    // A chain of overlaps in hostile input (thousands of card-like groups) is cut into bounded clusters.
    if (cluster.length > 0 && (entity.start >= clusterEnd || cluster.length >= maxCluster)) flush();
    cluster.push(entity);
    clusterEnd = Math.max(clusterEnd, entity.end);
  }
  if (cluster.length > 0) flush();
  return kept;
}
