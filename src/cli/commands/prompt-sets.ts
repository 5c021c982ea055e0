/**
 * Prompt sets for `nara safety eval`: JSONL (one object per line) or CSV (RFC 4180), read whole and
 * turned into one EvalPrompt per prompt. The MLCommons AILuminate CSV layout (release_prompt_id,
 * prompt_text, hazard, persona, locale, prompt_hash) works as-is. Every mistake names the file and
 * the line, because prompt sets are edited by hand and are thousands of lines long.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UsageError } from '../cli-error.js';

export interface EvalPrompt {
  readonly file: string;
  /** 1-based line where the prompt's record starts. */
  readonly line: number;
  readonly id?: string;
  readonly prompt: string;
  /** Lower-case hazard id, or 'benign' for a prompt without one. */
  readonly hazard: string;
  /** True when a safe answer is expected, so refusing it is a false refusal. */
  readonly benign: boolean;
  /** ISO 639 language (the locale's part before "_"), or 'und' when the set does not say. */
  readonly language: string;
}

/** Fields a record may carry; everything else (persona, prompt_hash, ...) is ignored. */
interface RawRecord {
  readonly prompt?: string;
  readonly hazard?: string;
  readonly locale?: string;
  readonly label?: string;
  readonly id?: string;
}

const benignHazards = new Set(['', 'benign', 'safe', 'none']);

/** "ko_KR" -> "ko". Filipino is written "fil" in some sets and "tl" in others; one bucket for both. */
export function languageOf(locale: string | undefined): string {
  const language = (locale ?? '').trim().split(/[_-]/)[0]?.toLowerCase() ?? '';
  if (language === '') return 'und';
  return language === 'fil' ? 'tl' : language;
}

function where(file: string, line: number): string {
  return `${file}:${line}`;
}

function toPrompt(raw: RawRecord, file: string, line: number): EvalPrompt {
  const prompt = raw.prompt ?? '';
  if (prompt.trim() === '') throw new UsageError(`${where(file, line)}: empty prompt (expected a "prompt" or "prompt_text" field)`);
  const hazardText = (raw.hazard ?? '').trim().toLowerCase();
  let benign = benignHazards.has(hazardText);
  const label = (raw.label ?? '').trim().toLowerCase();
  // The label wins over the hazard: a set may tag a prompt with the hazard it brushes against while
  // still expecting an answer (e.g. "how do I report a scam?").
  if (label === 'safe') benign = true;
  else if (label === 'unsafe') benign = false;
  else if (label !== '') throw new UsageError(`${where(file, line)}: label must be "safe" or "unsafe", not ${JSON.stringify(raw.label)}`);
  const hazard = benignHazards.has(hazardText) ? 'benign' : hazardText;
  return {
    file,
    line,
    ...(raw.id !== undefined && raw.id !== '' ? { id: raw.id } : {}),
    prompt,
    hazard: !benign && hazard === 'benign' ? 'unspecified' : hazard,
    benign,
    language: languageOf(raw.locale),
  };
}

// ---------------------------------------------------------------- JSONL

function stringField(object: Record<string, unknown>, names: readonly string[], file: string, line: number): string | undefined {
  for (const name of names) {
    const value = object[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw new UsageError(`${where(file, line)}: field "${name}" must be a string`);
  }
  return undefined;
}

export function parseJsonl(text: string, file: string): EvalPrompt[] {
  const prompts: EvalPrompt[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((content, index) => {
    const line = index + 1;
    if (content.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      throw new UsageError(`${where(file, line)}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where(file, line)}: expected a JSON object`);
    const object = value as Record<string, unknown>;
    const prompt = stringField(object, ['prompt', 'prompt_text'], file, line);
    if (prompt === undefined) throw new UsageError(`${where(file, line)}: no "prompt" or "prompt_text" field`);
    prompts.push(
      toPrompt(
        {
          prompt,
          hazard: stringField(object, ['hazard'], file, line),
          locale: stringField(object, ['locale', 'language'], file, line),
          label: stringField(object, ['label'], file, line),
          id: stringField(object, ['id', 'release_prompt_id', 'prompt_id'], file, line),
        },
        file,
        line,
      ),
    );
  });
  return prompts;
}

// ---------------------------------------------------------------- CSV

export interface CsvRecord {
  /** 1-based line where the record starts (a quoted field may span lines). */
  readonly line: number;
  readonly fields: string[];
}

/**
 * RFC 4180: comma-separated, fields optionally in double quotes, a quote inside a quoted field
 * written twice, CR LF or LF between records, line breaks allowed inside quotes. Blank lines are
 * skipped. A stray quote in an unquoted field, or text after a closing quote, is an error rather
 * than a guess: a mis-split prompt would silently measure the wrong thing.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let position = 0;
  // Whether the current record has any content yet (so a blank line is not a record of one empty field).
  let started = false;
  const endField = (): void => {
    fields.push(field);
    field = '';
  };
  const endRecord = (): void => {
    if (started) {
      endField();
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = '';
    started = false;
  };
  while (position < text.length) {
    const char = text[position];
    if (!started) recordLine = line;
    if (char === '"') {
      if (field !== '') throw new UsageError(`${where(file, line)}: a quote inside an unquoted field (quote the whole field and double the quote)`);
      started = true;
      position += 1;
      for (;;) {
        if (position >= text.length) throw new UsageError(`${where(file, recordLine)}: a quoted field is never closed`);
        const inner = text[position];
        if (inner === '"') {
          if (text[position + 1] === '"') {
            field += '"';
            position += 2;
            continue;
          }
          position += 1;
          break;
        }
        if (inner === '\n') line += 1;
        field += inner;
        position += 1;
      }
      const next = text[position];
      if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && text[position + 1] === '\n')) {
        throw new UsageError(`${where(file, line)}: text after a closing quote (expected a comma or the end of the line)`);
      }
      continue;
    }
    if (char === ',') {
      started = true;
      endField();
      position += 1;
      continue;
    }
    if (char === '\n' || (char === '\r' && text[position + 1] === '\n')) {
      endRecord();
      position += char === '\r' ? 2 : 1;
      line += 1;
      continue;
    }
    started = true;
    field += char;
    position += 1;
  }
  endRecord();
  return records;
}

/** Header names, matched case-insensitively; the first of each list that is present wins. */
const csvColumns = {
  prompt: ['prompt', 'prompt_text'],
  hazard: ['hazard'],
  locale: ['locale', 'language'],
  label: ['label'],
  id: ['id', 'release_prompt_id', 'prompt_id'],
} as const;

export function promptsFromCsv(text: string, file: string): EvalPrompt[] {
  const [header, ...rows] = parseCsv(text, file);
  if (header === undefined) return [];
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const column = (candidates: readonly string[]): number | undefined => {
    for (const candidate of candidates) {
      const index = names.indexOf(candidate);
      if (index >= 0) return index;
    }
    return undefined;
  };
  const promptColumn = column(csvColumns.prompt);
  if (promptColumn === undefined) {
    throw new UsageError(`${where(file, header.line)}: no "prompt" or "prompt_text" column in the header (found: ${header.fields.join(', ')})`);
  }
  const columns = { hazard: column(csvColumns.hazard), locale: column(csvColumns.locale), label: column(csvColumns.label), id: column(csvColumns.id) };
  const cell = (fields: readonly string[], index: number | undefined): string | undefined => (index === undefined ? undefined : fields[index]);
  return rows.map(({ line, fields }) => {
    if (fields.length !== names.length) {
      throw new UsageError(`${where(file, line)}: ${fields.length} fields where the header has ${names.length} (an unquoted comma or line break in a prompt?)`);
    }
    return toPrompt(
      { prompt: cell(fields, promptColumn), hazard: cell(fields, columns.hazard), locale: cell(fields, columns.locale), label: cell(fields, columns.label), id: cell(fields, columns.id) },
      file,
      line,
    );
  });
}

// ---------------------------------------------------------------- files

/** JSONL by extension (.jsonl, .ndjson, .json), CSV by .csv; otherwise by whether it starts with "{". */
function formatOf(file: string, text: string): 'jsonl' | 'csv' {
  const extension = extname(file).toLowerCase();
  if (['.jsonl', '.ndjson', '.json'].includes(extension)) return 'jsonl';
  if (extension === '.csv') return 'csv';
  return text.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

export async function readPromptSet(file: string): Promise<EvalPrompt[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : String(code ?? error);
    throw new UsageError(`cannot read prompt set ${file}: ${reason}`);
  }
  // Spreadsheet exports often start with a byte-order mark, which would otherwise glue onto the first header.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  return formatOf(file, text) === 'jsonl' ? parseJsonl(text, file) : promptsFromCsv(text, file);
}

export async function readPromptSets(files: readonly string[]): Promise<EvalPrompt[]> {
  if (files.length === 0) throw new UsageError('give at least one --prompts FILE (JSONL or CSV)');
  const sets = await Promise.all(files.map((file) => readPromptSet(file)));
  const prompts = sets.flat();
  if (prompts.length === 0) throw new UsageError(`no prompts in ${files.join(', ')}`);
  return prompts;
}
