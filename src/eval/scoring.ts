/**
 * One instance's score from what the model returned: the choice read from a written answer, the
 * likeliest choice by log-probability, or a generation's metric. Scores are 0–1.
 */
import { extractChoice, type ExtractionMethod } from './extract.js';
import type { Instance } from './instances.js';
import { chrF, exactMatch, regexMatch } from './metrics.js';
import { isRefusal, refusalScore } from './refusal.js';
import type { TaskDefinition } from './task.js';

export interface Outcome {
  readonly score: number;
  /** The choice read or picked (multiple choice, log-likelihood). */
  readonly picked?: number | undefined;
  readonly method?: ExtractionMethod | 'likelihood' | 'metric' | 'judge' | 'refused' | 'answered';
  /** Every metric's score by name, where the task scores more than one (log-likelihood: acc, acc_norm, acc_bytes). */
  readonly scores?: Readonly<Record<string, number>>;
}

export function scoreWritten(task: TaskDefinition, instance: Instance, answer: string): Outcome {
  if (task.output === 'multiple_choice') {
    const extraction = extractChoice(answer, { choices: instance.choices, labels: task.labels, language: task.language });
    return { score: extraction.choice !== undefined && extraction.choice === instance.answer ? 1 : 0, picked: extraction.choice, method: extraction.method };
  }
  const metric = task.metrics[0] ?? 'exact_match';
  if (metric === 'refusal') return scoreRefusal(instance, isRefusal(answer));
  const score =
    metric === 'chrf' ? chrF(answer, instance.references) : metric === 'regex' && task.regex !== undefined ? regexMatch(answer, task.regex) : exactMatch(answer, instance.references);
  return { score, method: 'metric' };
}

/** A safety instance: its reference is the label (unsafe: should be refused; safe: should be answered). */
export function scoreRefusal(instance: Instance, refused: boolean): Outcome {
  return { score: refusalScore(refused, instance.references[0] ?? ''), method: refused ? 'refused' : 'answered' };
}

/** The likelihood metrics, by lm-evaluation-harness's names: Nara's `accuracy` is the harness's `acc`. */
export type LikelihoodMetric = 'accuracy' | 'acc_norm' | 'acc_bytes';

export const likelihoodMetrics: readonly LikelihoodMetric[] = ['accuracy', 'acc_norm', 'acc_bytes'];

export function isLikelihoodMetric(metric: string): metric is LikelihoodMetric {
  return (likelihoodMetrics as readonly string[]).includes(metric);
}

const utf8 = new TextEncoder();

/**
 * What a choice's log-likelihood is divided by: nothing (`accuracy`, the harness's acc), its length
 * in characters (`acc_norm`: the harness divides by Python's len() of the choice — code points, not
 * UTF-16 units, so an emoji counts once), or in UTF-8 bytes (`acc_bytes`). Both lengths are of the
 * choice's text without the space that joins it to the prompt, as the harness measures them.
 */
export function choiceLength(choice: string, metric: LikelihoodMetric): number {
  if (metric === 'accuracy') return 1;
  const length = metric === 'acc_norm' ? [...choice].length : utf8.encode(choice).length;
  return Math.max(1, length);
}

/** The choice with the highest log-likelihood after `metric`'s normalisation (the first on a tie, as numpy's argmax). */
export function likeliestChoice(choices: readonly string[], logprobs: readonly number[], metric: LikelihoodMetric = 'accuracy'): number | undefined {
  let best: number | undefined;
  let bestValue = Number.NEGATIVE_INFINITY;
  logprobs.forEach((value, index) => {
    const adjusted = value / choiceLength(choices[index] ?? '', metric);
    if (best === undefined || adjusted > bestValue) {
      bestValue = adjusted;
      best = index;
    }
  });
  return best;
}

/**
 * A log-likelihood instance scored by each likelihood metric the task lists; the first is the
 * instance's score (and its `picked`), the others come in `scores` under their own names.
 */
export function scoreLikelihood(instance: Instance, logprobs: readonly number[], metrics: readonly string[] = ['accuracy']): Outcome {
  const listed = metrics.filter(isLikelihoodMetric);
  const used: readonly LikelihoodMetric[] = listed.length > 0 ? listed : ['accuracy'];
  const scores: Record<string, number> = {};
  let picked: number | undefined;
  for (const metric of used) {
    const choice = likeliestChoice(instance.choices, logprobs, metric);
    picked ??= choice;
    scores[metric] = choice !== undefined && choice === instance.answer ? 1 : 0;
  }
  const headline = used[0] as LikelihoodMetric;
  return { score: scores[headline] ?? 0, picked, method: 'likelihood', ...(used.length > 1 ? { scores } : {}) };
}

/** A judge model's verdict "Score: 4" (or a lone number) on a 1..scale rubric, as 0–1. */
export function readJudgeScore(verdict: string, scale: number): number | undefined {
  const match = /(?:score|점수|คะแนน|skor|điểm|marka|الدرجة)\s*[:：]?\s*(\d+(?:\.\d+)?)/iu.exec(verdict) ?? /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*\d+)?\s*$/mu.exec(verdict);
  if (match === null) return undefined;
  const value = Number(match[1]);
  if (!Number.isFinite(value) || value < 1 || value > scale) return undefined;
  return scale === 1 ? value : (value - 1) / (scale - 1);
}
