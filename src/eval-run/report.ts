/**
 * What a run found, for people (a terminal table) and programs (JSON): per task and endpoint the
 * accuracy with its 95% interval, the score normalised against chance, the macro average over
 * subjects, per competency, failures, refusals and latency; with several endpoints, each compared
 * with the first on the instances both answered (paired bootstrap: is the difference real?).
 */
import { pairedComparison, type PairedComparison } from '../eval/statistics.js';
import type { InstanceProblem } from '../eval/instances.js';
import { readRecords, isSettled } from './run-store.js';
import type { PairResult, RunResult } from './runner.js';

export interface Comparison {
  readonly task: string;
  readonly a: string;
  readonly b: string;
  readonly result: PairedComparison;
}

export interface RunReport {
  readonly pairs: readonly PairResult[];
  readonly comparisons: readonly Comparison[];
  readonly problems: Readonly<Record<string, readonly InstanceProblem[]>>;
  readonly interrupted: boolean;
}

/** A 0–1 score as a percentage with one decimal; "—" when there is none. */
export const percent = (value: number) => (Number.isFinite(value) ? (value * 100).toFixed(1) : '—');

/** Scores of instances by task, endpoint and id, read from a run folder's records. */
export async function scoresByInstance(dir: string): Promise<Map<string, Map<string, number>>> {
  const scores = new Map<string, Map<string, number>>();
  for await (const record of readRecords(dir)) {
    if (!isSettled(record)) continue;
    const key = `${record.task}\u0000${record.endpoint}`;
    let map = scores.get(key);
    if (map === undefined) scores.set(key, (map = new Map()));
    if (!map.has(record.id)) map.set(record.id, record.score ?? 0);
  }
  return scores;
}

export function comparePaired(task: string, a: string, b: string, left: ReadonlyMap<string, number>, right: ReadonlyMap<string, number>): Comparison {
  const shared = [...left.keys()].filter((id) => right.has(id)).sort();
  return { task, a, b, result: pairedComparison(Float64Array.from(shared, (id) => left.get(id) as number), Float64Array.from(shared, (id) => right.get(id) as number)) };
}

export async function buildReport(result: RunResult, dir: string, taskIds: readonly string[], endpointNames: readonly string[]): Promise<RunReport> {
  const comparisons: Comparison[] = [];
  if (endpointNames.length > 1) {
    const scores = await scoresByInstance(dir);
    const [first, ...others] = endpointNames as [string, ...string[]];
    for (const task of taskIds) {
      for (const other of others) {
        const left = scores.get(`${task}\u0000${first}`);
        const right = scores.get(`${task}\u0000${other}`);
        if (left !== undefined && right !== undefined) comparisons.push(comparePaired(task, first, other, left, right));
      }
    }
  }
  return { pairs: result.pairs, comparisons, problems: Object.fromEntries(result.problems), interrupted: result.interrupted };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatReport(report: RunReport): string {
  const lines: string[] = [];
  const rows: string[][] = [['task', 'lang', 'endpoint', 'n', 'score % (95% CI)', 'normalised', 'macro %', 'failed', 'refused', 'unread', 'p50 ms', 'tokens in/out', 'metric']];
  for (const pair of report.pairs) {
    const { summary } = pair;
    rows.push([
      pair.task,
      pair.language,
      pair.endpoint,
      String(summary.instances),
      `${percent(summary.micro.score)} (${percent(summary.micro.interval.low)}–${percent(summary.micro.interval.high)})`,
      Number.isNaN(summary.micro.normalized) ? '—' : summary.micro.normalized.toFixed(1),
      percent(summary.macro),
      String(summary.failed),
      String(pair.refused),
      String(summary.unreadable),
      Number.isNaN(pair.latencyMs.p50) ? '—' : pair.latencyMs.p50.toFixed(0),
      // As the endpoint reported them: what this language cost on this model.
      pair.promptTokens + pair.completionTokens === 0 ? '—' : `${pair.promptTokens}/${pair.completionTokens}`,
      pair.metric ?? 'accuracy',
    ]);
  }
  lines.push(table(rows));
  // A task scoring several metrics (log-likelihood: acc, acc_norm, acc_bytes) shows each under its own name.
  const metricRows: string[][] = [['task', 'endpoint', 'metric', 'n', 'score % (95% CI)', 'normalised']];
  for (const pair of report.pairs) {
    if (pair.otherMetrics === undefined || pair.otherMetrics.length === 0) continue;
    for (const group of [{ ...pair.summary.micro, name: pair.metric ?? 'accuracy' }, ...pair.otherMetrics]) {
      metricRows.push([pair.task, pair.endpoint, group.name, String(group.instances), `${percent(group.score)} (${percent(group.interval.low)}–${percent(group.interval.high)})`, Number.isNaN(group.normalized) ? '—' : group.normalized.toFixed(1)]);
    }
  }
  if (metricRows.length > 1) lines.push('', table(metricRows));
  const competencyRows: string[][] = [['task', 'endpoint', 'competency', 'n', 'accuracy %', 'normalised']];
  for (const pair of report.pairs) for (const group of pair.summary.byCompetency) competencyRows.push([pair.task, pair.endpoint, group.name, String(group.instances), percent(group.score), group.normalized.toFixed(1)]);
  if (competencyRows.length > 1) lines.push('', table(competencyRows));
  if (report.comparisons.length > 0) {
    lines.push('', 'Paired comparison on the instances both answered (bootstrap, 95%):');
    for (const { task, a, b, result } of report.comparisons) {
      lines.push(`  ${task}: ${a} − ${b} = ${(result.difference * 100).toFixed(1)} points (${(result.interval.low * 100).toFixed(1)} to ${(result.interval.high * 100).toFixed(1)}), p = ${result.pValue.toFixed(3)}, n = ${result.instances}: ${result.significant ? 'a real difference' : 'not distinguishable from chance'}`);
    }
  }
  for (const [task, problems] of Object.entries(report.problems)) {
    if (problems.length === 0) continue;
    lines.push('', `${task}: ${problems.length} record(s) skipped:`);
    for (const problem of problems.slice(0, 10)) lines.push(`  ${problem.line === 0 ? 'the dataset' : `line ${problem.line}`}${problem.id === undefined ? '' : ` (${problem.id})`}: ${problem.message}`);
    if (problems.length > 10) lines.push(`  … and ${problems.length - 10} more (see the JSON report)`);
  }
  if (report.interrupted) lines.push('', 'Interrupted: run the same command with --resume to finish; answered instances are not asked again.');
  return lines.join('\n');
}

/** Two runs, endpoint by endpoint (same name), or their only endpoints when each has one. */
export async function compareRuns(dirA: string, dirB: string): Promise<Comparison[]> {
  const [a, b] = await Promise.all([scoresByInstance(dirA), scoresByInstance(dirB)]);
  const comparisons: Comparison[] = [];
  const split = (key: string) => key.split('\u0000') as [string, string];
  const endpointsA = new Set([...a.keys()].map((key) => split(key)[1]));
  const endpointsB = new Set([...b.keys()].map((key) => split(key)[1]));
  const single = endpointsA.size === 1 && endpointsB.size === 1;
  for (const [key, left] of a) {
    const [task, endpoint] = split(key);
    const rightKey = single ? [...b.keys()].find((candidate) => split(candidate)[0] === task) : `${task}\u0000${endpoint}`;
    const right = rightKey === undefined ? undefined : b.get(rightKey);
    if (right !== undefined && rightKey !== undefined) comparisons.push(comparePaired(task, `A:${endpoint}`, `B:${split(rightKey)[1]}`, left, right));
  }
  return comparisons;
}

export function formatComparisons(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return 'The two runs share no task (and endpoint) to compare.';
  return comparisons
    .map(({ task, a, b, result }) => `${task}: ${a} − ${b} = ${(result.difference * 100).toFixed(1)} points (95% ${(result.interval.low * 100).toFixed(1)} to ${(result.interval.high * 100).toFixed(1)}), p = ${result.pValue.toFixed(3)} over ${result.instances} shared instances — ${result.significant ? 'a real difference' : 'not distinguishable from chance'}`)
    .join('\n');
}

