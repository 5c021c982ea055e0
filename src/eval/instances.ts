/**
 * Dataset records → instances the runner sends: prompt messages, choices, the right answer. A record
 * that cannot become one (a missing field, an answer out of range, a duplicate id) is reported with
 * its line and the run goes on without it: one bad line must not cost a 10,000-question run.
 */
import { canonicalMarker, choiceLabel, labelIndex, normalizeAnswerText } from './extract.js';
import type { TaskDefinition } from './task.js';
import { TemplateError } from './template.js';

export interface DatasetRecord {
  /** 1-based line (JSONL, CSV) or position (JSON, Parquet) in the dataset file. */
  readonly line: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface Instance {
  readonly id: string;
  readonly line: number;
  readonly messages: readonly ChatMessage[];
  readonly choices: readonly string[];
  /** The right choice (multiple choice, log-likelihood). */
  readonly answer: number | undefined;
  /** Reference answers (generation, judge). */
  readonly references: readonly string[];
  readonly subject: string;
  readonly competency: string;
}

export interface InstanceProblem {
  readonly id: string | undefined;
  readonly line: number;
  readonly message: string;
}


function choicesOf(task: TaskDefinition, fields: Readonly<Record<string, unknown>>): string[] {
  if (task.choices === undefined) return [];
  if (Array.isArray(task.choices)) {
    const rendered = (task.choices as readonly { render(record: Readonly<Record<string, unknown>>): string }[]).map((template) => template.render(fields));
    // Trailing empty options (ArabicMMLU has 2–5 of 5 columns) are not choices; earlier ones keep their places.
    while (rendered.length > 0 && (rendered[rendered.length - 1] as string).trim() === '') rendered.pop();
    return rendered;
  }
  const single = task.choices as { render(record: Readonly<Record<string, unknown>>): string; source: string };
  // `{{ choices }}` of a list renders as JSON: read it back as the list.
  const rendered = single.render(fields);
  try {
    const parsed: unknown = JSON.parse(rendered);
    if (Array.isArray(parsed)) return parsed.map((choice) => (typeof choice === 'string' ? choice : JSON.stringify(choice)));
  } catch {
    // not a list
  }
  throw new TemplateError(`choices ${single.source} did not give a list (got ${JSON.stringify(rendered.slice(0, 60))})`);
}

/** The right choice from the target: an index (0- or 1-based as the task says), a letter or number label, or the choice's text. */
function answerIndex(task: TaskDefinition, target: string, choices: readonly string[]): number {
  const written = target.trim();
  if (/^-?\d+$/.test(written)) {
    const index = Number(written) - task.targetBase;
    if (index < 0 || index >= choices.length) throw new TemplateError(`the answer ${written} is out of range for ${choices.length} choices (${task.targetBase === 1 ? '1' : '0'}-based)`);
    return index;
  }
  const byLabel = written.length <= 2 ? labelIndex(written, choices.length, 'letters') : undefined;
  if (byLabel !== undefined) return byLabel;
  const byText = choices.findIndex((choice) => normalizeAnswerText(choice) === normalizeAnswerText(written));
  if (byText >= 0) return byText;
  throw new TemplateError(`the answer ${JSON.stringify(written.slice(0, 60))} is neither a choice's index, its letter nor its text`);
}

export function buildInstance(task: TaskDefinition, record: DatasetRecord, position: number, fewShot: readonly ChatMessage[] = []): Instance | InstanceProblem {
  const rawId = task.dataset.idField === undefined ? undefined : record.fields[task.dataset.idField];
  const id = rawId === undefined || rawId === null || rawId === '' ? (task.dataset.idField === undefined ? String(position) : undefined) : String(rawId);
  if (id === undefined) return { id: undefined, line: record.line, message: `no ${task.dataset.idField} (the task's id field)` };
  try {
    const choices = choicesOf(task, record.fields);
    const target = task.target.render(record.fields);
    const needsChoices = task.output === 'multiple_choice' || task.output === 'loglikelihood';
    if (needsChoices && choices.length < 2) throw new TemplateError(`needs at least 2 choices, has ${choices.length}`);
    const answer = needsChoices ? answerIndex(task, target, choices) : undefined;
    const references = needsChoices ? [] : readReferences(target);
    const messages: ChatMessage[] = [];
    if (task.system !== undefined) messages.push({ role: 'system', content: task.system });
    messages.push(...fewShot, { role: 'user', content: task.prompt.render(record.fields) });
    return {
      id,
      line: record.line,
      messages,
      choices,
      answer,
      references,
      subject: task.subject?.render(record.fields) ?? 'all',
      competency: task.competency?.render(record.fields) ?? 'all',
    };
  } catch (error) {
    if (error instanceof TemplateError) return { id, line: record.line, message: error.message };
    throw error;
  }
}

/** A target holding a JSON list gives several reference answers. */
function readReferences(target: string): string[] {
  const trimmed = target.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // a plain answer that starts with "["
    }
  }
  return [target];
}

/** What joins a prompt to the choice scored after it (lm-evaluation-harness's target_delimiter). */
export const continuationDelimiter = ' ';

/** Between few-shot examples, and between them and the question (the harness's fewshot_delimiter). */
const exampleDelimiter = '\n\n';

/**
 * The answer a few-shot example shows: "정답: B" in the task's language (multiple choice), the
 * right choice's text (log-likelihood), or the reference. A log-likelihood task scores the text of
 * each choice after the prompt, so its examples must end with that kind of continuation too: shown
 * letters, the model would expect a letter where the choice's text is scored.
 */
export function exampleAnswer(task: TaskDefinition, instance: Instance): string {
  if (instance.answer === undefined) return instance.references[0] ?? '';
  if (task.output === 'loglikelihood') return instance.choices[instance.answer] ?? '';
  const label = task.labels === 'numbers' ? String(instance.answer + 1) : choiceLabel(instance.answer);
  return `${canonicalMarker[task.language] ?? canonicalMarker.en ?? 'Answer:'} ${label}`;
}

/**
 * The text a log-likelihood task scores continuations after, laid out as lm-evaluation-harness
 * lays it out: the system message, each example as its question, the delimiter and its answer, then
 * the question — so "Q1 answer1\n\nQ2 answer2\n\nQ" before " choice", every example ending as the
 * scored continuation does.
 */
export function likelihoodContext(instance: Instance): string {
  const parts: string[] = [];
  for (const message of instance.messages) {
    if (message.role === 'assistant' && parts.length > 0) parts[parts.length - 1] += `${continuationDelimiter}${message.content}`;
    else parts.push(message.content);
  }
  return parts.join(exampleDelimiter);
}

/** The few-shot examples before an instance: other instances of the same set, chosen by a seeded draw. */
export function fewShotFor(task: TaskDefinition, pool: readonly Instance[], position: number): ChatMessage[] {
  const count = Math.min(task.fewShot.count, pool.length - 1);
  if (count <= 0) return [];
  // A small LCG over the seed and position: the same examples for the same instance on every run.
  let state = (task.fewShot.seed * 2654435761 + position * 40503) >>> 0;
  const chosen = new Set<number>();
  while (chosen.size < count) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const pick = state % pool.length;
    if (pick !== position) chosen.add(pick);
  }
  const messages: ChatMessage[] = [];
  for (const index of chosen) {
    const example = pool[index] as Instance;
    const question = example.messages[example.messages.length - 1];
    if (question !== undefined) messages.push({ role: 'user', content: question.content }, { role: 'assistant', content: exampleAnswer(task, example) });
  }
  return messages;
}
