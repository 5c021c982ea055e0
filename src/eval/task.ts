/**
 * A task as the runner uses it, after its file was read and checked (eval-run/task-file.ts): where
 * the data is, how each record becomes a prompt, what the right answer is and how it is scored.
 */
import type { Template } from './template.js';

/**
 * multiple_choice  — the model writes an answer; the choice is read from it (extract.ts).
 * loglikelihood    — each choice is scored by the prompt log-probabilities the endpoint returns (vLLM's `prompt_logprobs`).
 * generate         — free text, scored by exact match, a regular expression or chrF.
 * judge            — free text, scored by another model against a rubric.
 */
export type OutputType = 'multiple_choice' | 'loglikelihood' | 'generate' | 'judge';

/**
 * accuracy — the choice read (or the likeliest) is the right one (lm-evaluation-harness's acc).
 * acc_norm, acc_bytes — log-likelihood only: the likeliest choice after dividing each choice's
 * log-likelihood by its length in characters (acc_norm) or UTF-8 bytes (acc_bytes), as the harness does.
 */
export type MetricName = 'accuracy' | 'acc_norm' | 'acc_bytes' | 'exact_match' | 'regex' | 'chrf' | 'judge' | 'refusal';

export type DatasetFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet';

export interface TaskDefinition {
  readonly id: string;
  /** Changes whenever the prompt changes, so results of different prompts are never mixed. */
  readonly version: string;
  /** ISO 639-1 language of the prompts (answer markers are tried in it first). */
  readonly language: string;
  readonly description: string | undefined;
  /** Where the task file is, for messages. */
  readonly file: string;
  readonly dataset: {
    readonly path: string;
    readonly format: DatasetFormat;
    /** For JSON files holding an object: the key of the list of records. */
    readonly records: string | undefined;
    /** The field holding each record's id; absent: the record's position. */
    readonly idField: string | undefined;
    /** Read at most this many records (a quick look at a big set). */
    readonly limit: number | undefined;
  };
  readonly output: OutputType;
  readonly system: string | undefined;
  readonly prompt: Template;
  /** A template giving the whole list (`{{ choices }}`), or one template per choice. */
  readonly choices: Template | readonly Template[] | undefined;
  /** Renders to the right choice's index, letter or number, or its text; or the reference answer(s). */
  readonly target: Template;
  readonly labels: 'letters' | 'numbers';
  /** Whether the target counts from 1 (datasets such as KoBEST's COPA write 1 and 2). */
  readonly targetBase: 0 | 1;
  readonly subject: Template | undefined;
  readonly competency: Template | undefined;
  readonly metrics: readonly MetricName[];
  readonly regex: RegExp | undefined;
  readonly fewShot: { readonly count: number; readonly seed: number };
  readonly generation: { readonly maxTokens: number; readonly temperature: number; readonly seed: number | undefined };
  readonly judge: { readonly rubric: string; readonly scale: number } | undefined;
}
