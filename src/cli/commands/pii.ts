/**
 * `nara pii scan [FILE|-]` (one JSON line per entity) and `nara pii redact [FILE|-] [--mode ...]`
 * (the transformed text). Both stream: the input is read in pieces and fed to a ChunkedScanner, so
 * memory stays bounded by the piece size, not the input size.
 *
 * NARA_PII_CHUNK_BYTES sets the read size (default 1 MiB). It exists so tests can cross piece
 * boundaries with small inputs; it does not change the output.
 */
import { createReadStream, statSync } from 'node:fs';
import { UsageError } from '../cli-error.js';
import { ChunkedScanner, type SettledPart } from '../../pii/chunked-scan.js';
import type { Entity } from '../../pii/entity-types.js';
import { mask, PseudonymScope, redact, type OperationResult } from '../../pii/operations.js';

interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export interface PiiRedactFlags {
  readonly mode?: string;
}

const modes = ['redact', 'mask', 'pseudonymise'] as const;
type Mode = (typeof modes)[number];

const defaultChunkBytes = 1024 * 1024;

function chunkBytes(): number {
  const raw = process.env.NARA_PII_CHUNK_BYTES;
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : defaultChunkBytes;
}

/** The input's bytes, piece by piece; a missing or unreadable file is a usage error, found before any output. */
function openInput(file: string | undefined): AsyncIterable<Buffer | string> {
  if (file === undefined || file === '-') return process.stdin;
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`);
  }
  if (!isFile) throw new UsageError(`cannot read ${file}: not a file`);
  return createReadStream(file, { highWaterMark: chunkBytes() });
}

/** Decoded text pieces. Invalid UTF-8 becomes U+FFFD rather than an error; `stream: true` keeps characters split across reads whole. */
async function* textPieces(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for await (const piece of input) {
    const text = typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** Settled parts of the input, in order, the last one when it ends. */
async function* settledParts(file: string | undefined): AsyncGenerator<SettledPart> {
  const input = openInput(file);
  const scanner = new ChunkedScanner();
  for await (const text of textPieces(input)) yield scanner.push(text);
  yield scanner.end();
}

/** Writes, waiting for the reader when the pipe is full (e.g. `| head`), so memory stays bounded. */
function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === '' || out.write(text)) return Promise.resolve();
  return new Promise((resolve) => out.once('drain', resolve));
}

export async function piiScanCommand(file: string | undefined, io: Io): Promise<number> {
  for await (const part of settledParts(file)) {
    const lines = part.entities.map((entity) => {
      const { type, start, end, text, score, validated } = entity;
      return `${JSON.stringify({ type, start, end, text, score, validated })}\n`;
    });
    await write(io.out, lines.join(''));
  }
  return 0;
}

function parseMode(raw: string | undefined): Mode {
  const mode = raw ?? 'redact';
  if ((modes as readonly string[]).includes(mode)) return mode as Mode;
  throw new UsageError(`unknown --mode ${JSON.stringify(mode)}; expected one of: ${modes.join(', ')}`);
}

export async function piiRedactCommand(file: string | undefined, flags: PiiRedactFlags, io: Io): Promise<number> {
  const mode = parseMode(flags.mode);
  // One scope for the whole input: the same value gets the same surrogate wherever it appears.
  const scope = mode === 'pseudonymise' ? new PseudonymScope() : undefined;
  const transform = (text: string, entities: readonly Entity[]): OperationResult => {
    if (scope !== undefined) return scope.pseudonymise(text, { entities });
    return mode === 'mask' ? mask(text, { entities }) : redact(text, { entities });
  };
  for await (const part of settledParts(file)) {
    if (part.text === '') continue;
    const local = part.entities.map((entity) => ({ ...entity, start: entity.start - part.offset, end: entity.end - part.offset }));
    await write(io.out, transform(part.text, local).text);
  }
  return 0;
}
