/**
 * Per-instance metrics for generated answers: exact match (after the usual normalisation), a regular
 * expression the answer must match, and chrF (character n-gram F-score, Popović 2015), which suits
 * languages without spaces (Thai) and rich morphology (Korean, Arabic) better than word overlap.
 */
import { normalizeAnswerText } from './extract.js';

export function exactMatch(answer: string, targets: readonly string[]): number {
  const written = normalizeAnswerText(answer);
  return targets.some((target) => normalizeAnswerText(target) === written) ? 1 : 0;
}

export function regexMatch(answer: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  return pattern.test(answer) ? 1 : 0;
}

/** Character n-grams of `text` (whitespace removed, as sacrebleu's chrF does) by count. */
function characterNgrams(text: string, order: number): Map<string, number> {
  const chars = [...text.replace(/\s+/gu, '')];
  const grams = new Map<string, number>();
  for (let start = 0; start + order <= chars.length; start += 1) {
    const gram = chars.slice(start, start + order).join('');
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

/**
 * chrF with n-grams of 1..`order` characters averaged, recall weighted `beta` times precision
 * (sacrebleu's defaults: order 6, beta 2), on a 0–1 scale; the best over several references.
 */
export function chrF(answer: string, references: readonly string[], order = 6, beta = 2): number {
  let best = 0;
  for (const reference of references) best = Math.max(best, chrFOne(answer, reference, order, beta));
  return best;
}

function chrFOne(hypothesis: string, reference: string, order: number, beta: number): number {
  let precisionSum = 0;
  let recallSum = 0;
  let orders = 0;
  for (let n = 1; n <= order; n += 1) {
    const hyp = characterNgrams(hypothesis, n);
    const ref = characterNgrams(reference, n);
    let hypTotal = 0;
    let refTotal = 0;
    let matched = 0;
    for (const count of hyp.values()) hypTotal += count;
    for (const [gram, count] of ref) {
      refTotal += count;
      matched += Math.min(count, hyp.get(gram) ?? 0);
    }
    // As sacrebleu: an order counts only where both texts have n-grams of it.
    if (hypTotal === 0 || refTotal === 0) continue;
    orders += 1;
    precisionSum += hypTotal === 0 ? 0 : matched / hypTotal;
    recallSum += refTotal === 0 ? 0 : matched / refTotal;
  }
  if (orders === 0) return 0;
  const precision = precisionSum / orders;
  const recall = recallSum / orders;
  if (precision === 0 && recall === 0) return 0;
  const beta2 = beta * beta;
  return ((1 + beta2) * precision * recall) / (beta2 * precision + recall);
}
