/**
 * What a run's manifest (run.json) says about its tasks and endpoints, and whether a run may be
 * resumed with the tasks and endpoints given now. A resumed run mixes answers from two invocations
 * into one score, which is honest only when both asked the same questions, the same way, of the
 * same model: every setting that changes a prompt, a choice, a score or the model answering is
 * compared, and any difference refuses the resume, naming it. Settings that only change how fast
 * answers come (concurrency, rate, timeout, retries) may change.
 */
import type { EndpointSpec } from './endpoint.js';
import type { TaskDefinition } from '../eval/task.js';
import type { Template } from '../eval/template.js';

/** Everything in a task file that decides what is asked and how it is scored, by the task file's field names. */
export interface ManifestDefinition {
  readonly language: string;
  readonly output: string;
  readonly system: string | null;
  readonly prompt: string;
  readonly choices: string | readonly string[] | null;
  readonly target: string;
  readonly target_base: number;
  readonly labels: string;
  readonly subject: string | null;
  readonly competency: string | null;
  readonly metrics: readonly string[];
  readonly regex: string | null;
  readonly few_shot: { readonly count: number; readonly seed: number };
  readonly generation: { readonly max_tokens: number; readonly temperature: number; readonly seed: number | null };
  readonly judge: { readonly rubric: string; readonly scale: number } | null;
  readonly dataset: { readonly format: string; readonly records: string | null; readonly id: string | null };
}

export interface ManifestTask {
  readonly id: string;
  readonly version: string;
  readonly file: string;
  readonly dataset: string;
  readonly datasetSha256: string;
  readonly output: string;
  readonly language: string;
  readonly metrics: readonly string[];
  readonly generation: TaskDefinition['generation'];
  readonly fewShot: TaskDefinition['fewShot'];
  readonly definition: ManifestDefinition;
}

export interface ManifestEndpoint {
  readonly name: string;
  readonly url: string;
  readonly model: string;
  readonly key: string | null;
  readonly concurrency: number;
  readonly rps: number | null;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly via: boolean;
}

const sourceOf = (template: Template | undefined) => template?.source ?? null;

export function manifestTask(task: TaskDefinition, datasetSha256: string): ManifestTask {
  const choices = task.choices === undefined ? null : Array.isArray(task.choices) ? (task.choices as readonly Template[]).map((template) => template.source) : (task.choices as Template).source;
  return {
    id: task.id,
    version: task.version,
    file: task.file,
    dataset: task.dataset.path,
    datasetSha256,
    output: task.output,
    language: task.language,
    metrics: task.metrics,
    generation: task.generation,
    fewShot: task.fewShot,
    definition: {
      language: task.language,
      output: task.output,
      system: task.system ?? null,
      prompt: task.prompt.source,
      choices,
      target: task.target.source,
      target_base: task.targetBase,
      labels: task.labels,
      subject: sourceOf(task.subject),
      competency: sourceOf(task.competency),
      metrics: task.metrics,
      regex: task.regex?.source ?? null,
      few_shot: { count: task.fewShot.count, seed: task.fewShot.seed },
      generation: { max_tokens: task.generation.maxTokens, temperature: task.generation.temperature, seed: task.generation.seed ?? null },
      judge: task.judge === undefined ? null : { rubric: task.judge.rubric, scale: task.judge.scale },
      dataset: { format: task.dataset.format, records: task.dataset.records ?? null, id: task.dataset.idField ?? null },
    },
  };
}

export function manifestEndpoint(spec: EndpointSpec): ManifestEndpoint {
  return { name: spec.name, url: spec.url, model: spec.model, key: spec.keySource ?? null, concurrency: spec.concurrency, rps: spec.ratePerSecond ?? null, timeoutMs: spec.timeoutMs, retries: spec.maxRetries, via: spec.via };
}

export interface ResumeCheck {
  /** Differences that make resuming wrong: each names the task or endpoint and the fields. */
  readonly conflicts: readonly string[];
  /** What could not be checked (a manifest written before definitions were recorded). */
  readonly warnings: readonly string[];
}

/** A value short enough for a one-line message. */
function brief(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function differences(before: Readonly<Record<string, unknown>>, now: Readonly<Record<string, unknown>>, fields: readonly string[]): string[] {
  return fields.filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(now[field] ?? null)).map((field) => `${field} ${brief(before[field])} → ${brief(now[field])}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The fields of a model's identity: a different server, model or path (direct or through a Nara) is a different model to score. */
const endpointIdentity = ['url', 'model', 'via'] as const;

/**
 * Compares the manifest of the run being resumed with what this invocation would write. A task or
 * endpoint new to the run is fine (it is asked from scratch); one that was in the run must be the
 * same: its version, data, definition (template, choices, target, metrics, few-shot and generation
 * settings, …) and, for endpoints of the same name, URL, model and route.
 */
export function checkResume(previous: unknown, tasks: readonly ManifestTask[], endpoints: readonly ManifestEndpoint[], judge: ManifestEndpoint | null): ResumeCheck {
  const conflicts: string[] = [];
  const warnings: string[] = [];
  const manifest = isObject(previous) ? previous : {};
  const beforeTasks = Array.isArray(manifest.tasks) ? manifest.tasks.filter(isObject) : [];
  for (const task of tasks) {
    const before = beforeTasks.find((entry) => entry.id === task.id);
    if (before === undefined) continue;
    const changed = differences(before, task as unknown as Record<string, unknown>, ['version']);
    if (before.datasetSha256 !== task.datasetSha256) changed.push(`data ${String(before.datasetSha256).slice(0, 12)}… → ${task.datasetSha256.slice(0, 12)}…`);
    if (isObject(before.definition)) changed.push(...differences(before.definition, task.definition as unknown as Record<string, unknown>, Object.keys(task.definition)));
    else warnings.push(`task ${task.id}: this run's manifest predates recorded task definitions; only its version and data were checked`);
    if (changed.length > 0) conflicts.push(`task ${task.id} changed since this run started: ${changed.join('; ')}`);
  }
  const beforeEndpoints = Array.isArray(manifest.endpoints) ? manifest.endpoints.filter(isObject) : [];
  for (const endpoint of endpoints) {
    const before = beforeEndpoints.find((entry) => entry.name === endpoint.name);
    if (before === undefined) continue;
    const changed = differences(before, endpoint as unknown as Record<string, unknown>, endpointIdentity);
    if (changed.length > 0) conflicts.push(`endpoint ${endpoint.name} changed since this run started: ${changed.join('; ')}`);
  }
  // The judge grades judge tasks: another judge is another scale.
  const judged = tasks.some((task) => task.output === 'judge');
  if (judged && judge !== null && isObject(manifest.judge)) {
    const changed = differences(manifest.judge, judge as unknown as Record<string, unknown>, ['url', 'model']);
    if (changed.length > 0) conflicts.push(`the judge changed since this run started: ${changed.join('; ')}`);
  }
  return { conflicts, warnings };
}
