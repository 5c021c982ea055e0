/**
 * A task's scores for one model, summed up: accuracy (micro: every instance counts the same),
 * macro average over subjects, per subject and per competency, normalised against chance
 * (SEA-HELM), with bootstrap confidence intervals. Instances that failed (endpoint errors after
 * retries) are counted apart and left out of the scores; unreadable answers score 0.
 */
import { bootstrapInterval, mean, normalizedScore, type Interval } from './statistics.js';

export interface ScoredInstance {
  readonly subject: string;
  readonly competency: string;
  readonly score: number;
  /** Chance score of this instance (1 / choices; 0 for generation). */
  readonly random: number;
}

export interface GroupScore {
  readonly name: string;
  readonly instances: number;
  readonly score: number;
  readonly interval: Interval;
  readonly normalized: number;
}

export interface TaskSummary {
  readonly instances: number;
  readonly failed: number;
  /** Answers no choice could be read from (they score 0). */
  readonly unreadable: number;
  readonly micro: GroupScore;
  /** Mean of the subjects' scores. */
  readonly macro: number;
  readonly bySubject: readonly GroupScore[];
  readonly byCompetency: readonly GroupScore[];
}

/** One group's score, interval and normalised score (a task's other metric is scored with it). */
export function groupScore(name: string, items: readonly ScoredInstance[], seed = 1): GroupScore {
  return group(name, items, seed);
}

function group(name: string, items: readonly ScoredInstance[], seed: number): GroupScore {
  const scores = Float64Array.from(items, (item) => item.score);
  const score = mean(scores);
  return { name, instances: items.length, score, interval: bootstrapInterval(scores, { seed }), normalized: normalizedScore(score, mean(Float64Array.from(items, (item) => item.random))) };
}

function groupsBy(items: readonly ScoredInstance[], key: (item: ScoredInstance) => string, seed: number): GroupScore[] {
  const groups = new Map<string, ScoredInstance[]>();
  for (const item of items) {
    const name = key(item);
    let list = groups.get(name);
    if (list === undefined) groups.set(name, (list = []));
    list.push(item);
  }
  return [...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([name, list]) => group(name, list, seed));
}

export function summarize(items: readonly ScoredInstance[], failed: number, unreadable: number, seed = 1): TaskSummary {
  const bySubject = groupsBy(items, (item) => item.subject, seed);
  return {
    instances: items.length,
    failed,
    unreadable,
    micro: group('all', items, seed),
    macro: mean(bySubject.map((subject) => subject.score)),
    bySubject,
    byCompetency: groupsBy(items, (item) => item.competency, seed),
  };
}
