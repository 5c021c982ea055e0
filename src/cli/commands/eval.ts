/**
 * `nara eval run|compare|token-tax|tasks`: does this model know our language and culture, is it
 * safe in our language, and what does each language cost? Runs task files (or the built-in suites)
 * against any OpenAI-compatible endpoints — a Nara included, as a tenant sees it (`via=nara`) —
 * and reports scores people can trust. Exit codes: 0 done, 1 some instances failed or a dataset
 * could not be read, 130 interrupted (resume it), 2 bad flags or task files.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskDefinition } from '../../eval/task.js';
import { EndpointSpecError, parseEndpointSpec, type EndpointSpec } from '../../eval-run/endpoint.js';
import { buildReport, compareRuns, formatComparisons, formatReport, type RunReport } from '../../eval-run/report.js';
import { runEvaluation, type Progress } from '../../eval-run/runner.js';
import { checkResume, manifestEndpoint, manifestTask, type ManifestEndpoint, type ManifestTask } from '../../eval-run/manifest.js';
import { RunStore, readRecords, manifestFile, type InstanceRecord } from '../../eval-run/run-store.js';
import { readTaskFile, TaskFileError } from '../../eval-run/task-file.js';
import { UsageError } from '../cli-error.js';

interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export interface EvalRunFlags {
  task: string[];
  endpoint: string[];
  judge?: string;
  out?: string;
  resume?: boolean;
  json?: boolean;
  limit?: string;
  dataset?: string;
  html?: string;
  tokenTax?: string;
}

const builtinDir = fileURLToPath(new URL('../../../data/eval/tasks/', import.meta.url));

export async function builtinTasks(): Promise<string[]> {
  return (await readdir(builtinDir)).filter((name) => name.endsWith('.yaml')).map((name) => name.slice(0, -'.yaml'.length)).sort();
}

async function loadTasks(names: readonly string[], limit: number | undefined): Promise<TaskDefinition[]> {
  const tasks: TaskDefinition[] = [];
  for (const name of names) {
    const file = name.startsWith('builtin:') ? join(builtinDir, `${name.slice('builtin:'.length)}.yaml`) : resolve(name);
    if (name.startsWith('builtin:') && !(await stat(file).then(() => true, () => false))) throw new UsageError(`no built-in task ${name}: use one of ${(await builtinTasks()).map((task) => `builtin:${task}`).join(', ')}`);
    try {
      const task = await readTaskFile(file);
      tasks.push(limit === undefined ? task : { ...task, dataset: { ...task.dataset, limit: Math.min(limit, task.dataset.limit ?? limit) } });
    } catch (error) {
      if (error instanceof TaskFileError) throw new UsageError(error.message);
      throw error;
    }
  }
  const ids = tasks.map((task) => task.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw new UsageError(`two task files have the id ${repeated}: results would mix; give one a different id`);
  return tasks;
}

async function sha256Of(path: string): Promise<string> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch (error) {
    throw new UsageError(`cannot read dataset ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A progress line on stderr: rewritten in place on a terminal, every few seconds otherwise. */
function progressReporter(err: NodeJS.WritableStream): { update(progress: Progress): void; end(): void } {
  const isTty = (err as NodeJS.WriteStream).isTTY === true;
  const started = new Map<string, { at: number; from: number }>();
  let lastDraw = 0;
  return {
    update(progress) {
      const key = `${progress.task} × ${progress.endpoint}`;
      const now = performance.now();
      if (!started.has(key)) started.set(key, { at: now, from: progress.done });
      if (progress.done !== progress.total && now - lastDraw < (isTty ? 200 : 5000)) return;
      lastDraw = now;
      const begin = started.get(key) as { at: number; from: number };
      const rate = ((progress.done - begin.from) / Math.max(1e-3, now - begin.at)) * 1000;
      const eta = rate > 0 ? (progress.total - progress.done) / rate : Number.NaN;
      const line = `${key}  ${progress.done}/${progress.total}  ${rate.toFixed(0)}/s  ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '—'}`;
      err.write(isTty ? `\r${line.padEnd(100)}` : `${line}\n`);
    },
    end() {
      if (isTty) err.write('\n');
    },
  };
}

export async function evalRunCommand(flags: EvalRunFlags, io: Io, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  if (flags.task.length === 0) throw new UsageError('give at least one --task (a task file, or builtin:ko … builtin:en)');
  if (flags.endpoint.length === 0) throw new UsageError('give at least one --endpoint url=…,model=…');
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a whole number ≥ 1, not ${JSON.stringify(flags.limit)}`);
  let endpoints: EndpointSpec[];
  let judge: EndpointSpec | undefined;
  try {
    endpoints = flags.endpoint.map((spec) => parseEndpointSpec(spec, env));
    judge = flags.judge === undefined ? undefined : parseEndpointSpec(flags.judge, env);
  } catch (error) {
    if (error instanceof EndpointSpecError) throw new UsageError(error.message);
    throw error;
  }
  const names = endpoints.map((spec) => spec.name);
  if (new Set(names).size !== names.length) throw new UsageError('two --endpoint values have the same name: add name=… to tell them apart');
  if (flags.dataset !== undefined && flags.task.length !== 1) throw new UsageError('--dataset points one task at a downloaded file: give exactly one --task with it');
  const loaded = await loadTasks(flags.task, limit);
  const tasks = flags.dataset === undefined ? loaded : loaded.map((task) => ({ ...task, dataset: { ...task.dataset, path: resolve(flags.dataset as string) } }));
  if (flags.html !== undefined) await checkFolder(flags.html);
  if (tasks.some((task) => task.output === 'judge') && judge === undefined) throw new UsageError('a judge task needs --judge url=…,model=… (the model that grades the answers)');

  const dir = resolve(flags.out ?? join('nara-eval', new Date().toISOString().replace(/[:.]/g, '-')));
  const store = new RunStore(dir);
  const manifestTasks: ManifestTask[] = [];
  for (const task of tasks) manifestTasks.push(manifestTask(task, await sha256Of(task.dataset.path)));
  const manifestEndpoints = endpoints.map(manifestEndpoint);
  const manifestJudge = judge === undefined ? null : manifestEndpoint(judge);
  const hasRecords = await stat(join(dir, manifestFile)).then(() => true, () => false);
  if (hasRecords && flags.resume !== true) throw new UsageError(`${dir} holds an earlier run: pass --resume to finish it, or choose another --out`);
  if (hasRecords) await checkResumable(store, manifestTasks, manifestEndpoints, manifestJudge, io);
  if (!hasRecords && flags.resume === true) io.err.write(`nothing to resume in ${dir}: starting a new run there\n`);
  await store.writeManifest({
    nara: 'eval/1',
    started: new Date().toISOString(),
    host: hostname(),
    tasks: manifestTasks,
    endpoints: manifestEndpoints,
    judge: manifestJudge,
    limit: limit ?? null,
  });

  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  const progress = progressReporter(io.err);
  let result;
  try {
    result = await runEvaluation({ tasks, endpoints, judge, store, signal: controller.signal, onProgress: (update) => progress.update(update) });
  } finally {
    process.off('SIGINT', interrupt);
    progress.end();
  }
  const report = await buildReport(result, dir, tasks.map((task) => task.id), names);
  if (flags.html !== undefined) await writeHtml(flags.html, dir, report, flags.tokenTax);
  io.out.write(flags.json === true ? `${JSON.stringify({ run: dir, ...report }, null, 2)}\n` : `${formatReport(report)}\n\nRecords and manifest: ${dir}${flags.html === undefined ? '' : `\nHTML report: ${flags.html}`}\n`);
  const failed = result.pairs.reduce((sum, pair) => sum + pair.summary.failed, 0);
  // A task whose dataset could not be read (line 0) asked nothing: that is a failure too.
  const unreadTask = [...result.problems.values()].some((problems) => problems.some((problem) => problem.line === 0));
  return result.interrupted ? 130 : failed > 0 || unreadTask ? 1 : 0;
}

async function checkFolder(file: string): Promise<void> {
  const folder = dirname(resolve(file));
  // Checked before the run, not after: finding out at the end of an hour of requests is too late.
  if (!(await stat(folder).then((info) => info.isDirectory(), () => false))) throw new UsageError(`--html ${file}: folder ${folder} does not exist`);
}

/** The run's HTML report: its results, the instances it missed (at most 5,000), and the token tax when asked for. */
async function writeHtml(file: string, dir: string, report: RunReport, tokenTaxDir: string | undefined): Promise<void> {
  const { renderEvalHtml } = await import('../../eval-run/html-report.js');
  const misses: InstanceRecord[] = [];
  for await (const record of readRecords(dir)) {
    if (misses.length >= 5000) break;
    if (record.error !== null || (record.score ?? 0) < 1) misses.push(record);
  }
  let tokenTax;
  if (tokenTaxDir !== undefined) {
    const { readParallelText, tokenTax: computeTokenTax } = await import('../../eval-run/token-tax.js');
    tokenTax = await computeTokenTax(await readParallelText(resolve(tokenTaxDir)), ['cl100k_base', 'o200k_base']);
  }
  const manifest = await new RunStore(dir).readManifest();
  await writeFile(file, renderEvalHtml({ title: `nara eval — ${basename(dir)}`, generatedAt: new Date().toISOString(), report, tokenTax, misses, manifest }));
}

/**
 * A resumed run must ask the same questions of the same models: same task definitions (template,
 * choices, metrics, few-shot and generation settings, version) and data, same endpoint URLs and
 * models. Anything else would mix two runs' answers into one score.
 */
async function checkResumable(store: RunStore, tasks: readonly ManifestTask[], endpoints: readonly ManifestEndpoint[], judge: ManifestEndpoint | null, io: Io): Promise<void> {
  let previous: unknown;
  try {
    previous = await store.readManifest();
  } catch (error) {
    throw new UsageError(`cannot read ${join(store.dir, manifestFile)} to resume: ${(error as Error).message}; start a new run with another --out`);
  }
  const { conflicts, warnings } = checkResume(previous, tasks, endpoints, judge);
  for (const warning of warnings) io.err.write(`warning: ${warning}\n`);
  if (conflicts.length > 0) throw new UsageError(`cannot resume ${store.dir}: ${conflicts.join('. ')}. Results would mix; undo the change, or start a new run with another --out`);
}

export async function evalCompareCommand(runA: string, runB: string, flags: { json?: boolean }, io: Io): Promise<number> {
  for (const dir of [runA, runB]) {
    let found = false;
    for await (const record of readRecords(dir)) {
      void record;
      found = true;
      break;
    }
    if (!found) throw new UsageError(`${dir} holds no records of a nara eval run`);
  }
  const comparisons = await compareRuns(runA, runB);
  io.out.write(flags.json === true ? `${JSON.stringify(comparisons, null, 2)}\n` : `${formatComparisons(comparisons)}\n`);
  return 0;
}

export interface TokenTaxFlags {
  dir: string;
  tokenizer?: string[];
  price?: string[];
  reference?: string;
  json?: boolean;
}

export async function evalTokenTaxCommand(flags: TokenTaxFlags, io: Io): Promise<number> {
  const { readParallelText, tokenTax, formatTokenTaxTable, tokenTaxTokenizers } = await import('../../eval-run/token-tax.js');
  const tokenizers = flags.tokenizer ?? ['cl100k_base', 'o200k_base'];
  for (const name of tokenizers) if (!(tokenTaxTokenizers as readonly string[]).includes(name)) throw new UsageError(`unknown tokenizer ${name}: use ${tokenTaxTokenizers.join(', ')}`);
  const prices: Record<string, number> = {};
  for (const entry of flags.price ?? []) {
    const [name, value] = entry.split('=');
    const price = Number(value);
    if (name === undefined || value === undefined || !Number.isFinite(price) || price < 0) throw new UsageError(`--price ${entry}: write tokenizer=price per 1M tokens, e.g. cl100k_base=2.5`);
    prices[name] = price;
  }
  let texts;
  try {
    texts = await readParallelText(resolve(flags.dir));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const report = await tokenTax(texts, tokenizers, { ...(flags.reference === undefined ? {} : { reference: flags.reference }), ...(Object.keys(prices).length > 0 ? { pricesPerMillionTokens: prices } : {}) });
  io.out.write(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatTokenTaxTable(report)}\n`);
  return 0;
}
