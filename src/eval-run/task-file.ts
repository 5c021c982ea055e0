/**
 * Task files (YAML): where the data is, the prompt template, the choices and the answer, how to
 * score. Nara's own field names, and lm-evaluation-harness's where they mean the same thing
 * (`task`, `dataset_path`, `doc_to_text`, `doc_to_choice`, `doc_to_target`, `output_type`,
 * `metric_list`, `num_fewshot`, `generation_kwargs`), so a harness task file needs few changes.
 * Every problem names the file, line and field.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { formatPath, readYaml, type PathSegment } from '../config/yaml-source.js';
import type { DatasetFormat, MetricName, OutputType, TaskDefinition } from '../eval/task.js';
import { compileTemplate, TemplateError, type Template } from '../eval/template.js';

export class TaskFileError extends Error {}

const text = z.string().min(1);
const metricNames = ['accuracy', 'acc_norm', 'acc_bytes', 'exact_match', 'regex', 'chrf', 'judge', 'refusal'] as const;
/** lm-evaluation-harness metric names that mean one of ours. */
const harnessMetrics: Readonly<Record<string, MetricName>> = { acc: 'accuracy', acc_norm: 'acc_norm', acc_bytes: 'acc_bytes', exact_match: 'exact_match', chrf: 'chrf' };

const taskSchema = z
  .object({
    task: text.optional(),
    id: text.optional(),
    version: z.union([z.string(), z.number()]).optional(),
    language: z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 code such as ko, th, id, vi, tl, ar, en').optional(),
    description: z.string().optional(),
    dataset: z
      .union([
        text,
        z
          .object({ path: text, format: z.enum(['jsonl', 'json', 'csv', 'tsv', 'parquet']).optional(), records: text.optional(), id: text.optional(), limit: z.number().int().positive().optional() })
          .strict(),
      ])
      .optional(),
    dataset_path: text.optional(),
    output: z.enum(['multiple_choice', 'loglikelihood', 'generate', 'judge']).optional(),
    output_type: z.enum(['multiple_choice', 'loglikelihood', 'generate_until']).optional(),
    system: z.string().optional(),
    prompt: text.optional(),
    doc_to_text: text.optional(),
    choices: z.union([text, z.array(text).min(2)]).optional(),
    doc_to_choice: z.union([text, z.array(text).min(2)]).optional(),
    target: z.union([text, z.number()]).optional(),
    doc_to_target: z.union([text, z.number()]).optional(),
    labels: z.enum(['letters', 'numbers']).optional(),
    target_base: z.union([z.literal(0), z.literal(1)]).optional(),
    subject: text.optional(),
    competency: text.optional(),
    metrics: z.array(z.enum(metricNames)).min(1).optional(),
    metric_list: z.array(z.object({ metric: text }).loose()).min(1).optional(),
    regex: text.optional(),
    few_shot: z.number().int().min(0).max(25).optional(),
    num_fewshot: z.number().int().min(0).max(25).optional(),
    seed: z.number().int().optional(),
    generation: z.object({ max_tokens: z.number().int().positive().optional(), temperature: z.number().min(0).max(2).optional(), seed: z.number().int().optional() }).strict().optional(),
    generation_kwargs: z.object({ max_gen_toks: z.number().int().positive().optional(), temperature: z.number().min(0).max(2).optional() }).loose().optional(),
    judge: z.object({ rubric: text, scale: z.number().int().min(2).max(10).optional() }).strict().optional(),
  })
  .loose();

type TaskInput = z.infer<typeof taskSchema>;

/** lm-evaluation-harness keys we read past without using (so a harness file loads), and ones we refuse. */
const ignoredHarnessKeys = new Set(['group', 'tag', 'dataset_name', 'dataset_kwargs', 'test_split', 'validation_split', 'training_split', 'fewshot_split', 'should_decontaminate', 'doc_to_decontamination_query', 'metadata', 'filter_list', 'process_results', 'description_prefix', 'target_delimiter', 'fewshot_delimiter', 'fewshot_config']);

function formatOf(path: string): DatasetFormat {
  const extension = extname(path).toLowerCase().replace('.', '');
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  if (extension === 'json' || extension === 'csv' || extension === 'tsv' || extension === 'parquet') return extension;
  throw new TaskFileError(`cannot tell the format of ${path} from its extension: give dataset.format (jsonl, json, csv, tsv or parquet)`);
}

export async function readTaskFile(file: string): Promise<TaskDefinition> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new TaskFileError(`cannot read task file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseTaskFile(file, source);
}

export function parseTaskFile(file: string, source: string): TaskDefinition {
  const yaml = readYaml(file, source);
  const firstSyntax = yaml.syntaxErrors[0];
  if (firstSyntax !== undefined) throw new TaskFileError(`${firstSyntax.where}: ${firstSyntax.message}`);
  const fail = (path: readonly PathSegment[], message: string): never => {
    throw new TaskFileError(`${yaml.locate(path)}: ${formatPath(path)}: ${message}`);
  };
  if (yaml.value === null || typeof yaml.value !== 'object' || Array.isArray(yaml.value)) fail([], 'a task file is a mapping of fields (task, dataset, prompt, target, …)');
  const parsed = taskSchema.safeParse(yaml.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    fail(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'), issue.message);
  }
  const input = (parsed as { data: TaskInput }).data;
  const known = new Set([...Object.keys(taskSchema.shape), ...ignoredHarnessKeys]);
  for (const key of Object.keys(input)) if (!known.has(key)) fail([key], `unknown field; task files take ${Object.keys(taskSchema.shape).join(', ')}`);

  const template = (path: string, value: string | number | undefined, required: boolean): Template | undefined => {
    if (value === undefined) {
      if (required) fail([], `needs "${path}"`);
      return undefined;
    }
    try {
      return compileTemplate(String(value));
    } catch (error) {
      if (error instanceof TemplateError) fail([path], error.message);
      throw error;
    }
  };
  const id = input.id ?? input.task ?? fail([], 'needs an "id" (or lm-evaluation-harness "task")');
  const datasetInput = input.dataset ?? input.dataset_path ?? fail([], 'needs "dataset": a path, or { path, format }');
  const dataset = typeof datasetInput === 'string' ? { path: datasetInput } : datasetInput;
  const datasetPath = resolve(dirname(file), dataset.path);
  const output: OutputType = input.output ?? (input.output_type === 'multiple_choice' || input.output_type === 'loglikelihood' ? 'loglikelihood' : input.output_type === 'generate_until' ? 'generate' : 'multiple_choice');
  const promptKey = input.prompt !== undefined ? 'prompt' : 'doc_to_text';
  const targetKey = input.target !== undefined ? 'target' : 'doc_to_target';
  const choicesKey = input.choices !== undefined ? 'choices' : 'doc_to_choice';
  const choicesInput = input.choices ?? input.doc_to_choice;
  const choices = choicesInput === undefined ? undefined : Array.isArray(choicesInput) ? choicesInput.map((choice, index) => template(`${choicesKey}[${index}]`, choice, true) as Template) : template(choicesKey, choicesInput, true);
  if ((output === 'multiple_choice' || output === 'loglikelihood') && choices === undefined) fail([], `a ${output} task needs "choices" (or "doc_to_choice")`);
  const metrics = input.metrics ?? input.metric_list?.map((entry, index) => harnessMetrics[entry.metric] ?? fail(['metric_list', index, 'metric'], `Nara does not compute "${entry.metric}"; use acc, acc_norm, acc_bytes, exact_match or chrf`)) ?? (output === 'generate' ? ['exact_match'] : output === 'judge' ? ['judge'] : ['accuracy']);
  if (metrics.includes('regex') && input.regex === undefined) fail(['metrics'], 'the regex metric needs "regex"');
  // A metric the output cannot give would be scored as another and reported under the wrong name
  // (acc_norm was once plain accuracy): length-normalised accuracy needs log-likelihoods, and
  // log-likelihoods give only the accuracies.
  const metricsKey = input.metrics !== undefined ? 'metrics' : 'metric_list';
  const normalised = metrics.find((metric) => metric === 'acc_norm' || metric === 'acc_bytes');
  if (normalised !== undefined && output !== 'loglikelihood') fail([metricsKey], `${normalised} scores choices by log-likelihood: it needs output: loglikelihood (this task's output is ${output})`);
  const notLikelihood = metrics.find((metric) => metric !== 'accuracy' && metric !== 'acc_norm' && metric !== 'acc_bytes');
  if (output === 'loglikelihood' && notLikelihood !== undefined) fail([metricsKey], `a loglikelihood task is scored by accuracy (acc), acc_norm or acc_bytes, not ${notLikelihood}`);
  let regex: RegExp | undefined;
  if (input.regex !== undefined) {
    try {
      regex = new RegExp(input.regex, 'u');
    } catch (error) {
      fail(['regex'], `not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if (output === 'judge' && input.judge === undefined) fail([], 'a judge task needs "judge: { rubric }"');
  return {
    id,
    version: String(input.version ?? 1),
    language: input.language ?? 'en',
    description: input.description,
    file,
    dataset: { path: datasetPath, format: typeof datasetInput === 'string' ? formatOf(datasetPath) : (dataset as { format?: DatasetFormat }).format ?? formatOf(datasetPath), records: (dataset as { records?: string }).records, idField: (dataset as { id?: string }).id, limit: (dataset as { limit?: number }).limit },
    output,
    system: input.system,
    prompt: template(promptKey, input.prompt ?? input.doc_to_text, true) as Template,
    choices,
    target: template(targetKey, input.target ?? input.doc_to_target, true) as Template,
    labels: input.labels ?? 'letters',
    targetBase: input.target_base ?? 0,
    subject: template('subject', input.subject, false),
    competency: template('competency', input.competency, false),
    metrics,
    regex,
    fewShot: { count: input.few_shot ?? input.num_fewshot ?? 0, seed: input.seed ?? 1234 },
    generation: {
      maxTokens: input.generation?.max_tokens ?? input.generation_kwargs?.max_gen_toks ?? (output === 'multiple_choice' ? 32 : 256),
      temperature: input.generation?.temperature ?? input.generation_kwargs?.temperature ?? 0,
      seed: input.generation?.seed ?? input.seed,
    },
    judge: input.judge === undefined ? undefined : { rubric: input.judge.rubric, scale: input.judge.scale ?? 5 },
  };
}
