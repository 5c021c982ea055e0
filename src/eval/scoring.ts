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

/**
 * The choice with the highest total log-probability (`normalize`: per character of the choice,
 * lm-evaluation-harness's acc_norm, which stops long choices losing for being long).
 */
export function scoreLikelihood(instance: Instance, logprobs: readonly number[], normalize = false): Outcome {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  logprobs.forEach((value, index) => {
    const adjusted = normalize ? value / Math.max(1, [...(instance.choices[index] ?? '')].length) : value;
    if (adjusted > bestValue) {
      bestValue = adjusted;
      best = index;
    }
  });
  return { score: best >= 0 && best === instance.answer ? 1 : 0, picked: best >= 0 ? best : undefined, method: 'likelihood' };
}

/** A judge model's verdict "Score: 4" (or a lone number) on a 1..scale rubric, as 0–1. */
export function readJudgeScore(verdict: string, scale: number): number | undefined {
  const match = /(?:score|점수|คะแนน|skor|điểm|marka|الدرجة)\s*[:：]?\s*(\d+(?:\.\d+)?)/iu.exec(verdict) ?? /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*\d+)?\s*$/mu.exec(verdict);
  if (match === null) return undefined;
  const value = Number(match[1]);
  if (!Number.isFinite(value) || value < 1 || value > scale) return undefined;
  return scale === 1 ? value : (value - 1) / (scale - 1);
}
