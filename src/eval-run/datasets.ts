/**
 * Datasets in the formats they are published in: JSONL, JSON (a list, or an object holding one),
 * CSV and TSV (RFC 4180, header row; csv-parse) and Parquet (hyparquet, pure JavaScript). Records
 * keep their line (or position) so a problem can be found in the file. A line that does not parse
 * is a problem for that line only; a file that cannot be read or decoded stops the task with a
 * message naming it.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import type { DatasetRecord, InstanceProblem } from '../eval/instances.js';
import type { TaskDefinition } from '../eval/task.js';

export class DatasetError extends Error {}

export interface Dataset {
  readonly records: readonly DatasetRecord[];
  /** Lines that could not be read as records. */
  readonly problems: readonly InstanceProblem[];
}

/** UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused, naming the byte. */
export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Where: decode once, replacing, and find the first replacement character (linear, unlike retrying prefixes).
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const at = new TextEncoder().encode(lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')))).length;
    throw new DatasetError(`${file} is not UTF-8 (the first bad byte is near byte ${at}): convert it, e.g. iconv -f cp949 -t utf-8 (Korean), -f tis-620 (Thai), -f cp1256 (Arabic)`);
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new DatasetError(`cannot read dataset ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export async function readDataset(task: TaskDefinition): Promise<Dataset> {
  const { path, format, records: recordsKey, limit } = task.dataset;
  const bytes = await readBytes(path);
  const all = format === 'parquet' ? await parquetRecords(bytes, path) : textRecords(decodeText(bytes, path), format, path, recordsKey);
  return limit === undefined ? all : { records: all.records.slice(0, limit), problems: all.problems };
}

function textRecords(text: string, format: 'jsonl' | 'json' | 'csv' | 'tsv', path: string, recordsKey: string | undefined): Dataset {
  const records: DatasetRecord[] = [];
  const problems: InstanceProblem[] = [];
  if (format === 'jsonl') {
    const lines = text.split(/\r?\n/);
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        const value: unknown = JSON.parse(line);
        if (isObject(value)) records.push({ line: index + 1, fields: value });
        else problems.push({ id: undefined, line: index + 1, message: 'is not a JSON object' });
      } catch (error) {
        problems.push({ id: undefined, line: index + 1, message: `is not valid JSON: ${(error as Error).message}` });
      }
    });
    return { records, problems };
  }
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new DatasetError(`${path} is not valid JSON: ${(error as Error).message}`);
    }
    const list = Array.isArray(value) ? value : isObject(value) && recordsKey !== undefined ? value[recordsKey] : isObject(value) ? Object.values(value).find(Array.isArray) : undefined;
    if (!Array.isArray(list)) throw new DatasetError(`${path} holds no list of records${recordsKey === undefined ? '' : ` under "${recordsKey}"`}: give dataset.records`);
    list.forEach((item: unknown, index) => {
      if (isObject(item)) records.push({ line: index + 1, fields: item });
      else problems.push({ id: undefined, line: index + 1, message: `record ${index + 1} is not a JSON object` });
    });
    return { records, problems };
  }
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { columns: true, bom: true, delimiter: format === 'tsv' ? '\t' : ',', info: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: format === 'tsv', quote: format === 'tsv' ? false : '"' }) as typeof rows;
  } catch (error) {
    throw new DatasetError(`${path}: ${(error as Error).message}`);
  }
  for (const row of rows) records.push({ line: row.info.lines, fields: row.record });
  return { records, problems };
}

async function parquetRecords(bytes: Uint8Array, path: string): Promise<Dataset> {
  const { parquetReadObjects } = await import('hyparquet');
  try {
    const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as Record<string, unknown>[];
    return { records: rows.map((fields, index) => ({ line: index + 1, fields })), problems: [] };
  } catch (error) {
    throw new DatasetError(`${path} is not a readable Parquet file: ${(error as Error).message}`);
  }
}
