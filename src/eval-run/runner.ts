/**
 * Runs tasks against endpoints: every instance of every task asked of every endpoint, each endpoint
 * at its own concurrency and rate, answers scored as they come and written to the run's records.
 * Resumable: instances a previous attempt settled (answered, or refused by a Nara's policy) are read
 * back from the records and never asked again. A bad record or a failed request is one instance's
 * problem; the run goes on. Memory holds the datasets and a few numbers per instance, not answers.
 */
import { setMaxListeners } from 'node:events';
import { buildInstance, continuationDelimiter, fewShotFor, likelihoodContext, type Instance, type InstanceProblem } from '../eval/instances.js';
import { isLikelihoodMetric, scoreLikelihood, scoreRefusal, scoreWritten, readJudgeScore, type Outcome } from '../eval/scoring.js';
import { groupScore, summarize, type GroupScore, type TaskSummary } from '../eval/summary.js';
import type { TaskDefinition } from '../eval/task.js';
import { DatasetError, readDataset } from './datasets.js';
import type { EndpointSpec } from './endpoint.js';
import { EndpointClient, type Reply } from './endpoint-client.js';
import { isSettled, readRecords, recordKey, type InstanceRecord, type RunStore } from './run-store.js';

export interface Progress {
  readonly task: string;
  readonly endpoint: string;
  readonly done: number;
  readonly total: number;
}

export interface RunOptions {
  readonly tasks: readonly TaskDefinition[];
  readonly endpoints: readonly EndpointSpec[];
  /** The model that grades judge tasks. */
  readonly judge?: EndpointSpec | undefined;
  readonly store: RunStore;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal | undefined;
}

export interface PairResult {
  readonly task: string;
  readonly endpoint: string;
  readonly language: string;
  readonly summary: TaskSummary;
  /** The metric `summary` scores (the task's first: accuracy, acc_norm, exact_match, …). */
  readonly metric?: string;
  /** The task's other metrics, each under its own name (a log-likelihood task listing acc and acc_norm). */
  readonly otherMetrics?: readonly GroupScore[];
  /** Refused by a Nara's policy (--via): counted as wrong answers, and here. */
  readonly refused: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number };
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface RunResult {
  readonly pairs: readonly PairResult[];
  /** Records that could not become instances, per task. */
  readonly problems: ReadonlyMap<string, readonly InstanceProblem[]>;
  readonly interrupted: boolean;
}

/** Scores and latencies of one task × endpoint, kept as numbers (subjects interned). */
class PairTally {
  readonly subjects: string[] = [];
  readonly competencies: string[] = [];
  readonly items: { subject: number; competency: number; score: number; random: number }[] = [];
  /** Per other metric (the task's second, third…), each item's score, in item order. */
  readonly others: number[][];
  readonly #otherNames: readonly string[];
  readonly latencies: number[] = [];
  failed = 0;
  unreadable = 0;
  refused = 0;
  promptTokens = 0;
  completionTokens = 0;

  constructor(otherMetrics: readonly string[]) {
    this.#otherNames = otherMetrics;
    this.others = otherMetrics.map(() => []);
  }

  #intern(list: string[], name: string): number {
    const at = list.indexOf(name);
    if (at >= 0) return at;
    list.push(name);
    return list.length - 1;
  }

  add(record: InstanceRecord): void {
    if (record.error !== null && !record.error.startsWith('refused:')) {
      this.failed += 1;
      return;
    }
    // A policy refusal is counted once, as refused: there was no answer to be unreadable (records
    // written before this rule say method "none" for it).
    if (record.error?.startsWith('refused:') === true) this.refused += 1;
    else if (record.method === 'none' || record.method === 'ambiguous') this.unreadable += 1;
    this.items.push({ subject: this.#intern(this.subjects, record.subject), competency: this.#intern(this.competencies, record.competency), score: record.score ?? 0, random: record.random });
    this.#otherNames.forEach((name, at) => this.others[at]?.push(record.scores?.[name] ?? 0));
    this.latencies.push(record.latencyMs);
    this.promptTokens += record.promptTokens ?? 0;
    this.completionTokens += record.completionTokens ?? 0;
  }

  result(task: TaskDefinition, endpoint: string): PairResult {
    const scored = this.items.map((item) => ({ subject: this.subjects[item.subject] as string, competency: this.competencies[item.competency] as string, score: item.score, random: item.random }));
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (q: number) => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number));
    const otherMetrics = this.#otherNames.map((name, index) => groupScore(name, scored.map((item, position) => ({ ...item, score: this.others[index]?.[position] ?? 0 }))));
    return {
      task: task.id,
      endpoint,
      language: task.language,
      summary: summarize(scored, this.failed, this.unreadable),
      metric: task.metrics[0] ?? 'accuracy',
      ...(otherMetrics.length > 0 ? { otherMetrics } : {}),
      refused: this.refused,
      latencyMs: { p50: at(0.5), p95: at(0.95) },
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
    };
  }
}

function promptText(task: TaskDefinition, instance: Instance): string {
  if (task.output === 'loglikelihood') return likelihoodContext(instance);
  return instance.messages.map((message) => message.content).join('\n\n');
}

/** The metrics after the first that a task scores per instance (log-likelihood: acc_norm, acc_bytes beside acc). */
function otherMetricsOf(task: TaskDefinition): string[] {
  return task.output === 'loglikelihood' ? task.metrics.slice(1).filter(isLikelihoodMetric) : [];
}

async function ask(task: TaskDefinition, instance: Instance, client: EndpointClient, judge: EndpointClient | undefined, signal: AbortSignal | undefined): Promise<{ reply: Reply; outcome: Outcome | undefined }> {
  if (task.output === 'loglikelihood') {
    const context = promptText(task, instance);
    const logprobs: number[] = [];
    let last: Reply | undefined;
    for (const choice of instance.choices) {
      last = await client.continuationLogprob(context, `${continuationDelimiter}${choice}`, signal);
      if (!last.ok) return { reply: last, outcome: undefined };
      logprobs.push(Number(last.text));
    }
    const reply = last as Reply;
    return { reply: reply.ok ? { ...reply, text: JSON.stringify(logprobs) } : reply, outcome: scoreLikelihood(instance, logprobs, task.metrics) };
  }
  const reply = await client.chat(instance.messages, task.generation, signal);
  // A gateway's policy refusal is the tenant's answer: wrong for a knowledge task, right for a harmful
  // request. It is a refusal, not an unreadable answer: method "refused", counted once.
  if (!reply.ok) return { reply, outcome: reply.kind !== 'refused' ? undefined : task.metrics[0] === 'refusal' ? scoreRefusal(instance, true) : { score: 0, method: 'refused' } };
  if (task.output !== 'judge') return { reply, outcome: scoreWritten(task, instance, reply.text) };
  if (judge === undefined || task.judge === undefined) return { reply, outcome: undefined };
  const rubric = `${task.judge.rubric}\n\nQuestion:\n${promptText(task, instance)}\n\nReference answer:\n${instance.references.join('\n')}\n\nAnswer to grade:\n${reply.text}\n\nGive a score from 1 to ${task.judge.scale} as "Score: N".`;
  const verdict = await judge.chat([{ role: 'user', content: rubric }], { maxTokens: 256, temperature: 0, seed: task.generation.seed }, signal);
  if (!verdict.ok) return { reply: { ...verdict, error: `judge: ${verdict.error}` }, outcome: undefined };
  const score = readJudgeScore(verdict.text, task.judge.scale);
  return { reply, outcome: score === undefined ? { score: 0, method: 'none' } : { score, method: 'judge' } };
}

function recordOf(task: TaskDefinition, endpoint: string, instance: Instance, reply: Reply, outcome: Outcome | undefined): InstanceRecord {
  const random = instance.choices.length > 0 && (task.output === 'multiple_choice' || task.output === 'loglikelihood') ? 1 / instance.choices.length : 0;
  const nara = reply.nara === undefined ? undefined : { safetyAction: reply.nara.safetyAction ?? null, hazards: reply.nara.hazards, refusedWith: reply.nara.refusedWith ?? null };
  const error = reply.ok ? (outcome === undefined ? 'no score (no judge endpoint)' : null) : reply.kind === 'refused' ? `refused:${reply.error}` : reply.error;
  return {
    task: task.id,
    endpoint,
    id: instance.id,
    line: instance.line,
    language: task.language,
    subject: instance.subject,
    competency: instance.competency,
    prompt: promptText(task, instance),
    raw: reply.ok ? reply.text : null,
    picked: outcome?.picked ?? null,
    answer: instance.answer ?? null,
    ...(instance.references.length > 0 ? { references: instance.references } : {}),
    score: outcome === undefined ? null : outcome.score,
    ...(outcome?.scores === undefined ? {} : { scores: outcome.scores }),
    random,
    method: outcome?.method ?? null,
    latencyMs: Math.round(reply.latencyMs * 10) / 10,
    promptTokens: reply.ok ? (reply.usage?.promptTokens ?? null) : null,
    completionTokens: reply.ok ? (reply.usage?.completionTokens ?? null) : null,
    attempts: reply.attempts,
    error,
    ...(nara === undefined ? {} : { nara }),
  };
}

export async function runEvaluation(options: RunOptions): Promise<RunResult> {
  const { store, signal } = options;
  // A function, not the property: the signal changes while the workers await.
  const stopped = () => signal?.aborted === true;
  // What earlier attempts of this run settled: never asked again, but counted in the results.
  const tallies = new Map<string, PairTally>();
  const tallyOf = (task: string, endpoint: string) => {
    const key = `${task}\u0000${endpoint}`;
    let tally = tallies.get(key);
    if (tally === undefined) {
      const definition = options.tasks.find((candidate) => candidate.id === task);
      tallies.set(key, (tally = new PairTally(definition === undefined ? [] : otherMetricsOf(definition))));
    }
    return tally;
  };
  const settled = new Set<string>();
  for await (const record of readRecords(store.dir)) {
    if (!isSettled(record)) continue;
    const key = recordKey(record.task, record.endpoint, record.id);
    if (settled.has(key)) continue;
    settled.add(key);
    tallyOf(record.task, record.endpoint).add(record);
  }

  // Every request in flight listens to the signal: as many listeners as workers, by design.
  if (signal !== undefined) setMaxListeners(options.endpoints.reduce((sum, spec) => sum + spec.concurrency, 16), signal);
  await store.open();
  const clients = options.endpoints.map((spec) => new EndpointClient(spec));
  const judge = options.judge === undefined ? undefined : new EndpointClient(options.judge);
  const problems = new Map<string, InstanceProblem[]>();
  try {
    for (const task of options.tasks) {
      if (stopped()) break;
      let dataset;
      try {
        dataset = await readDataset(task);
      } catch (error) {
        // An unreadable file stops its task, not the run: the other tasks still get their answers.
        if (!(error instanceof DatasetError)) throw error;
        problems.set(task.id, [{ id: undefined, line: 0, message: error.message }]);
        continue;
      }
      const taskProblems: InstanceProblem[] = [...dataset.problems];
      const instances: Instance[] = [];
      const seen = new Set<string>();
      dataset.records.forEach((record, position) => {
        const built = buildInstance(task, record, position + 1);
        if (!('messages' in built)) taskProblems.push(built);
        else if (seen.has(built.id)) taskProblems.push({ id: built.id, line: built.line, message: `duplicate id ${built.id}: only its first record is used` });
        else {
          seen.add(built.id);
          instances.push(built);
        }
      });
      problems.set(task.id, taskProblems);
      const withExamples = task.fewShot.count === 0 ? instances : instances.map((instance, position) => ({ ...instance, messages: [...instance.messages.slice(0, -1), ...fewShotFor(task, instances, position), ...instance.messages.slice(-1)] }));
      await Promise.all(
        clients.map(async (client) => {
          const endpoint = client.spec.name;
          const tally = tallyOf(task.id, endpoint);
          const pending = withExamples.filter((instance) => !settled.has(recordKey(task.id, endpoint, instance.id)));
          let next = 0;
          let done = withExamples.length - pending.length;
          options.onProgress?.({ task: task.id, endpoint, done, total: withExamples.length });
          const worker = async () => {
            while (next < pending.length && !stopped()) {
              const instance = pending[next] as Instance;
              next += 1;
              const { reply, outcome } = await ask(task, instance, client, judge, signal);
              // An answer cut off by the interruption is not an answer: it is asked again on resume.
              if (stopped() && !reply.ok) break;
              const record = recordOf(task, endpoint, instance, reply, outcome);
              await store.append(record);
              tally.add(record);
              done += 1;
              options.onProgress?.({ task: task.id, endpoint, done, total: withExamples.length });
            }
          };
          await Promise.all(Array.from({ length: Math.min(client.spec.concurrency, Math.max(1, pending.length)) }, worker));
        }),
      );
    }
  } finally {
    await Promise.all([...clients.map((client) => client.close()), judge?.close()]);
    await store.close();
  }
  const pairs: PairResult[] = [];
  for (const task of options.tasks) for (const spec of options.endpoints) pairs.push(tallyOf(task.id, spec.name).result(task, spec.name));
  return { pairs, problems, interrupted: stopped() };
}
