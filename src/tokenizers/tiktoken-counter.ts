/**
 * Exact counts for OpenAI's tiktoken encodings, read from the rank files shipped inside the
 * js-tiktoken package (nothing is downloaded). A count equals js-tiktoken's
 * `encode(text, [], []).length`: text such as "<|endoftext|>" is counted as plain text, never
 * refused, because a prompt may quote it. test/tokenizers.test.ts checks the two agree.
 *
 * js-tiktoken's encode() does the work itself, so why not call it? Its byte-pair merge rescans and
 * re-joins every pair after each merge, which is quadratic in each pre-token, with a string built
 * per pair. o200k_base keeps a Thai sentence as a single pre-token (Thai puts no spaces between
 * words, and o200k_base's letter runs take its vowel marks), so in js-tiktoken 1,000 Thai
 * characters block the event loop for about 1 s and 19,000 for minutes. So this file splits text
 * with the same pattern and merges with a heap: O(n log n) per pre-token. It also keeps one table
 * where js-tiktoken keeps two (the second is for decoding), a third of the memory
 * (bench/tokenizer-load.js).
 */
import type { TiktokenBPE } from 'js-tiktoken/lite';
import type { TokenCounter } from '../spec/tokens.js';

export type TiktokenEncodingName = 'cl100k_base' | 'o200k_base';

/** Byte sequences (as latin1 strings: one character per byte) to their rank, i.e. token id. */
type RankTable = ReadonlyMap<string, number>;

/**
 * Reads the ranks module of one encoding. A dynamic import, so that a process whose back ends all
 * use the estimate never parses the 1–2 MB module. The specifiers are literal so that tsc checks them.
 */
async function importEncoding(name: TiktokenEncodingName): Promise<TiktokenBPE> {
  switch (name) {
    case 'cl100k_base':
      return (await import('js-tiktoken/ranks/cl100k_base')).default;
    case 'o200k_base':
      return (await import('js-tiktoken/ranks/o200k_base')).default;
  }
}

/** Loads an encoding and builds its counter; blocks the event loop for a while, so call it at start-up. */
export async function loadTiktokenCounter(name: TiktokenEncodingName): Promise<TokenCounter> {
  return createTiktokenCounter(name, await importEncoding(name));
}

export function createTiktokenCounter(name: string, encoding: TiktokenBPE): TokenCounter {
  const ranks = parseRanks(encoding.bpe_ranks);
  // 'u' and 'g' as js-tiktoken uses them; matchAll clones the regex, so sharing it is safe.
  const preTokens = new RegExp(encoding.pat_str, 'gu');
  return {
    name,
    exact: true,
    count(text: string): number {
      let total = 0;
      for (const match of text.matchAll(preTokens)) total += countPreToken(Buffer.from(match[0], 'utf8').toString('latin1'), ranks);
      return total;
    },
  };
}

/** js-tiktoken's compact format: lines of "! <first rank> <base64 token> <base64 token> …". */
function parseRanks(text: string): RankTable {
  const ranks = new Map<string, number>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 3) continue;
    const first = Number.parseInt(fields[1] ?? '', 10);
    for (let i = 2; i < fields.length; i++) ranks.set(Buffer.from(fields[i] ?? '', 'base64').toString('latin1'), first + i - 2);
  }
  return ranks;
}

const none = -1;
/** Heap entries are one number, rank·2³² + start, so that ties in rank go to the leftmost pair as in tiktoken. */
const startSpan = 2 ** 32;

/**
 * Tokens in one pre-token: start from single bytes and repeatedly merge the adjacent pair whose
 * joined bytes have the lowest rank (leftmost first), until no pair is a token. Parts are named by
 * their start offset; `next` links them, `pairRank[start]` is the rank of that part joined with
 * the next one. Heap entries whose rank no longer matches are stale and skipped: two pairs from
 * the same start differ in length, so they never share a rank.
 */
function countPreToken(bytes: string, ranks: RankTable): number {
  const length = bytes.length;
  if (length <= 1 || ranks.has(bytes)) return Math.min(length, 1);
  const next = new Int32Array(length);
  const prev = new Int32Array(length);
  const pairRank = new Int32Array(length).fill(none);
  const heap: number[] = [];
  const rankOf = (start: number, end: number): number => ranks.get(bytes.slice(start, end)) ?? none;
  const setPair = (start: number, end: number): void => {
    const rank = end > length ? none : rankOf(start, end);
    pairRank[start] = rank;
    if (rank !== none) heapPush(heap, rank * startSpan + start);
  };
  for (let i = 0; i < length; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  for (let i = 0; i + 1 < length; i++) setPair(i, i + 2);
  let parts = length;
  for (let top = heapPop(heap); top !== undefined; top = heapPop(heap)) {
    const rank = Math.floor(top / startSpan);
    const start = top - rank * startSpan;
    if (pairRank[start] !== rank) continue;
    const gone = next[start] ?? length;
    const after = gone < length ? (next[gone] ?? length) : length;
    pairRank[gone] = none;
    next[start] = after;
    if (after < length) prev[after] = start;
    parts -= 1;
    setPair(start, after < length ? (next[after] ?? length) : length + 1);
    if (start > 0) setPair(prev[start] ?? 0, after);
  }
  return parts;
}

function heapPush(heap: number[], value: number): void {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const above = heap[parent] ?? 0;
    if (above <= value) break;
    heap[i] = above;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && (heap[right] ?? 0) < (heap[left] ?? 0) ? right : left;
    const below = heap[child] ?? 0;
    if (below >= last) break;
    heap[i] = below;
    i = child;
  }
  heap[i] = last;
  return top;
}
