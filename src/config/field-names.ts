/** Suggests the intended field for a misspelt one ("jurisdicton" → "jurisdiction"). */
import { z } from 'zod';
import { configSchema } from './schema.js';

let known: readonly string[] | undefined;

/** Every property name the schema knows, at any depth. */
function knownFields(): readonly string[] {
  if (known !== undefined) return known;
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    if (properties !== undefined) for (const name of Object.keys(properties)) names.add(name);
    for (const child of Object.values(node)) visit(child);
  };
  visit(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }));
  known = [...names];
  return known;
}

/** The known field within two edits of `name` (case-insensitive), if there is exactly one best. */
export function closestField(name: string): string | undefined {
  return closestName(name, knownFields());
}

/** The candidate within two edits of `name` (case-insensitive), if any: for did-you-mean hints. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    // On a tie, a name of the same length (a mistyped letter) beats one a letter short or long: "modelz" → "models", not "model".
    const sameLengthTie = distance === bestDistance && candidate.length === name.length && best?.length !== name.length;
    if (distance < bestDistance || sameLengthTie) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  // More than two insertions or deletions apart: never a suggestion, so skip the table.
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
