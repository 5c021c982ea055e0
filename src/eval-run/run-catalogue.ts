/**
 * The eval runs the console shows: every `nara eval run --out` folder under one directory
 * (`console.evalRunsDir`), read from what the run wrote — its manifest (run.json) and records — and
 * summed up with the statistics the terminal report uses (mean and bootstrap interval as summarize
 * does, comparePaired), so the console and `nara eval run` never disagree on a score or an
 * interval. A run's id is its folder's name, and no id reaches a path before isRunId has passed it.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { bootstrapInterval, mean } from '../eval/statistics.js';
import type { EvalComparison, EvalRunDetail, EvalRunSummary } from '../spec/console-api.js';
import { comparePaired } from './report.js';
import { isSettled, manifestFile, readRecords, recordsFile, type InstanceRecord } from './run-store.js';

const runIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A folder name and nothing more: no separator, no "..", no leading dot, so join(root, id) stays in root. */
export function isRunId(id: string): boolean {
  return runIdPattern.test(id) && !id.includes('..');
}

// Lenient where the console can do without a field: an odd value must not hide a whole run.
const optionalText = z.string().optional().catch(undefined);
const manifestSchema = z.object({
  started: optionalText,
  tasks: z.array(z.object({ id: z.string(), output: optionalText, language: optionalText, metrics: z.array(z.string()).optional().catch(undefined) })),
  endpoints: z.array(z.object({ name: z.string() })),
});
type Manifest = z.infer<typeof manifestSchema>;
type ManifestTask = Manifest['tasks'][number];

/** The manifest and when it was last written; undefined when there is none or it is not a run's. */
async function readManifest(dir: string): Promise<{ manifest: Manifest; modifiedMs: number } | undefined> {
  const path = join(dir, manifestFile);
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? { manifest: parsed.data, modifiedMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function summaryOf(id: string, manifest: Manifest, instances: number): EvalRunSummary {
  const started = manifest.started;
  return {
    id,
    startedAt: started !== undefined && Number.isFinite(Date.parse(started)) ? started : null,
    tasks: manifest.tasks.map((task) => task.id),
    endpoints: manifest.endpoints.map((endpoint) => endpoint.name),
    instances,
  };
}

/** Last byte of buffer[from, to) that is not white space, or -1. */
function lastVisible(buffer: Buffer, from: number, to: number): number {
  for (let at = to - 1; at >= from; at -= 1) {
    const byte = buffer[at] as number;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return byte;
  }
  return -1;
}

/**
 * Records in a run, counted without parsing them (a list of many 10,000-record runs must come back
 * quickly): every line a record ends with "}", while a torn one (killed mid-write) almost never does.
 */
async function countRecords(dir: string): Promise<number> {
  let count = 0;
  // The last visible byte of the line that runs on into the next chunk.
  let carried = -1;
  try {
    const chunks: AsyncIterable<Buffer> = createReadStream(join(dir, recordsFile));
    for await (const chunk of chunks) {
      let start = 0;
      for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
        const last = lastVisible(chunk, start, end);
        if ((last === -1 ? carried : last) === 0x7d) count += 1;
        carried = -1;
        start = end + 1;
      }
      const last = lastVisible(chunk, start, chunk.length);
      if (last !== -1) carried = last;
    }
  } catch {
    // No records yet (or unreadable: the run's detail says why); one such run must not fail the list.
    return count;
  }
  return carried === 0x7d ? count + 1 : count;
}

/** At most `limit` at once: a directory of hundreds of runs must not open hundreds of files together. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next;
      next += 1;
      results[at] = await work(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Newest first; a folder without a readable run.json is not a run and is left out. */
export async function listEvalRuns(root: string): Promise<EvalRunSummary[]> {
  let names: string[];
  try {
    names = (await readdir(root)).filter(isRunId);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  const found = await mapLimited(names, 8, async (id) => {
    const dir = join(root, id);
    const read = await readManifest(dir);
    if (read === undefined) return undefined;
    const summary = summaryOf(id, read.manifest, await countRecords(dir));
    // A manifest without a start time is placed by when it was written.
    return { summary, at: summary.startedAt === null ? read.modifiedMs : Date.parse(summary.startedAt) };
  });
  return found
    .filter((entry) => entry !== undefined)
    .sort((x, y) => y.at - x.at || (x.summary.id < y.summary.id ? 1 : -1))
    .map((entry) => entry.summary);
}

/**
 * One task × endpoint of a run, as the runner tallies it: the first settled record of an instance
 * counts (answered, or refused by a Nara's policy); an instance never settled counts as failed.
 */
class PairRecords {
  /** Score by instance id, as scoresByInstance reads them; in record order, as the runner's tally. */
  readonly scores = new Map<string, number>();
  readonly #unsettled = new Set<string>();
  language: string | undefined;
  refused = 0;
  /** Scored as refusal (method "refused"/"answered"): names the metric when the manifest does not. */
  refusalScored = false;

  constructor(
    readonly task: string,
    readonly endpoint: string,
  ) {}

  add(record: InstanceRecord): void {
    this.language ??= typeof record.language === 'string' ? record.language : undefined;
    if (!isSettled(record)) {
      this.#unsettled.add(record.id);
      return;
    }
    if (this.scores.has(record.id)) return;
    this.scores.set(record.id, record.score ?? 0);
    if (record.error?.startsWith('refused:') === true) this.refused += 1;
    if (record.method === 'refused' || record.method === 'answered') this.refusalScored = true;
  }

  /** Scores in record order: the bootstrap resamples by position, so order decides the interval's digits. */
  values(): Float64Array {
    return Float64Array.from(this.scores.values());
  }

  /** Instances that only ever failed (a later resume may have answered an earlier failure). */
  failed(): number {
    let failed = 0;
    for (const id of this.#unsettled) if (!this.scores.has(id)) failed += 1;
    return failed;
  }
}

interface RunContents {
  readonly manifest: Manifest;
  readonly tasks: ReadonlyMap<string, ManifestTask>;
  readonly instances: number;
  /** Manifest order (task, then endpoint, as the report), then pairs only the records name. */
  readonly pairs: ReadonlyMap<string, PairRecords>;
}

/** A record as the runner writes it; anything else on a line (a foreign or damaged file) is passed over. */
function isRecord(record: InstanceRecord): boolean {
  return typeof record === 'object' && record !== null && typeof record.task === 'string' && typeof record.endpoint === 'string' && typeof record.id === 'string' && (record.error === null || typeof record.error === 'string');
}

/** The run in `root` named `id`, in one pass over its records; undefined when there is none. */
async function readRun(root: string, id: string): Promise<RunContents | undefined> {
  if (!isRunId(id)) return undefined;
  const dir = join(root, id);
  const read = await readManifest(dir);
  if (read === undefined) return undefined;
  const { manifest } = read;
  const pairs = new Map<string, PairRecords>();
  const pairOf = (task: string, endpoint: string) => {
    const key = `${task}\u0000${endpoint}`;
    let pair = pairs.get(key);
    if (pair === undefined) pairs.set(key, (pair = new PairRecords(task, endpoint)));
    return pair;
  };
  for (const task of manifest.tasks) for (const endpoint of manifest.endpoints) pairOf(task.id, endpoint.name);
  let instances = 0;
  for await (const record of readRecords(dir)) {
    if (!isRecord(record)) continue;
    instances += 1;
    pairOf(record.task, record.endpoint).add(record);
  }
  return { manifest, tasks: new Map(manifest.tasks.map((task) => [task.id, task])), instances, pairs };
}

/** The task's first metric where the manifest records it, else what its output type or its records imply. */
function metricOf(task: ManifestTask | undefined, pair: PairRecords): string {
  const named = task?.metrics?.[0];
  if (named !== undefined) return named;
  if (task?.output === 'multiple_choice' || task?.output === 'loglikelihood') return 'accuracy';
  if (task?.output === 'judge') return 'judge';
  return pair.refusalScored ? 'refusal' : 'score';
}

/** NaN (nothing scored, nothing shared) is "no value" in the API. */
const orNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/**
 * summarize()'s default seed: with it the interval is the one the run's report printed, to the
 * digit. Only the overall score is computed: summarize's per-subject and per-competency bootstraps
 * would triple the time of a 10,000-record run for numbers the console does not show.
 */
const reportSeed = 1;

export async function evalRunDetail(root: string, id: string): Promise<EvalRunDetail | undefined> {
  const run = await readRun(root, id);
  if (run === undefined) return undefined;
  const results = [...run.pairs.values()].map((pair) => {
    const task = run.tasks.get(pair.task);
    const scores = pair.values();
    const interval = bootstrapInterval(scores, { seed: reportSeed });
    return {
      task: pair.task,
      endpoint: pair.endpoint,
      language: task?.language ?? pair.language ?? null,
      metric: metricOf(task, pair),
      score: orNull(mean(scores)),
      low: orNull(interval.low),
      high: orNull(interval.high),
      answered: scores.length,
      failed: pair.failed(),
      refused: pair.refused,
    };
  });
  return { ...summaryOf(id, run.manifest, run.instances), results };
}

/** Run a against run b, task × endpoint where both have it, paired on the instances both scored (a − b). */
export async function compareEvalRuns(root: string, a: string, b: string): Promise<EvalComparison | undefined> {
  const [left, right] = await Promise.all([readRun(root, a), readRun(root, b)]);
  if (left === undefined || right === undefined) return undefined;
  const rows: EvalComparison['rows'][number][] = [];
  for (const [key, pairA] of left.pairs) {
    const pairB = right.pairs.get(key);
    if (pairB === undefined) continue;
    const { result } = comparePaired(pairA.task, a, b, pairA.scores, pairB.scores);
    const difference = orNull(result.difference);
    rows.push({
      task: pairA.task,
      endpoint: pairA.endpoint,
      metric: metricOf(left.tasks.get(pairA.task) ?? right.tasks.get(pairA.task), pairA),
      scoreA: orNull(mean(pairA.values())),
      scoreB: orNull(mean(pairB.values())),
      difference,
      // With no instance in common there is no interval either, not one of [0, 0].
      low: difference === null ? null : orNull(result.interval.low),
      high: difference === null ? null : orNull(result.interval.high),
      significant: result.significant,
    });
  }
  return { a, b, rows };
}
