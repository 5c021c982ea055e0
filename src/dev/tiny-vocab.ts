/**
 * A small SentencePiece-style ("llama" tokenizer) vocabulary for the tiny test model.
 *
 * llama.cpp's SPM tokenizer starts from single UTF-8 characters and merges adjacent pairs whose
 * concatenation is a vocabulary piece, best score first; characters with no piece fall back to the
 * `<0xNN>` byte tokens. So every word piece comes with all its prefixes (a merge path from single
 * characters) and every character used gets a piece of its own.
 */

/** llama.cpp token types (llama_token_type). */
export const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface TinyVocab {
  readonly tokens: readonly string[];
  readonly scores: readonly number[];
  readonly types: readonly number[];
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  /** First id of the 256 byte-fallback tokens. */
  readonly firstByteId: number;
  /** First id of the ordinary word pieces. */
  readonly firstPieceId: number;
}

/** SentencePiece's visible space: marks a piece that starts a word. */
export const spaceMark = '\u2581';

const englishWords = [
  'hello', 'world', 'the', 'a', 'an', 'is', 'are', 'was', 'of', 'and', 'or', 'to', 'in', 'on', 'for',
  'with', 'that', 'this', 'it', 'you', 'we', 'they', 'I', 'me', 'my', 'your', 'our', 'be', 'not', 'yes',
  'no', 'can', 'will', 'what', 'how', 'why', 'when', 'where', 'who', 'which', 'there', 'here', 'good',
  'morning', 'night', 'day', 'time', 'people', 'thank', 'thanks', 'please', 'sorry', 'help', 'answer',
  'question', 'model', 'models', 'data', 'AI', 'open', 'engine', 'token', 'tokens', 'stream', 'test',
  'tests', 'gateway', 'sovereign', 'nation', 'national', 'cloud', 'server', 'request', 'response',
  'Nara', 'Seoul', 'Bangkok', 'Korea', 'Thailand', 'Japan', 'Europe', 'language', 'Korean', 'Thai',
  'English', 'story', 'once', 'upon', 'little', 'big', 'small', 'fast', 'slow', 'new', 'old', 'one',
  'two', 'three', 'first', 'last', 'city', 'river', 'mountain', 'sea', 'sun', 'moon', 'star', 'tree',
  'water', 'fire', 'light', 'dark', 'happy', 'friend', 'home', 'school', 'book', 'write', 'read',
  'speak', 'listen', 'think', 'know', 'learn', 'make', 'go', 'come', 'see', 'look', 'find', 'give',
];

/** Pieces that also occur inside words (no leading space mark). */
const suffixes = ['ing', 'ed', 'er', 'est', 'ly', 's', 'es', 'tion', 'ment', 'ness'];

const hangulWords = [
  '안녕하세요', '안녕', '한국', '한국어', '서울', '감사합니다', '사람', '나라', '모델', '데이터', '세계', '오늘',
];
const hangulSuffixes = ['하세요', '합니다', '입니다', '은', '는', '이', '가', '을', '를', '에'];

const thaiWords = ['สวัสดี', 'ครับ', 'ค่ะ', 'ประเทศ', 'ไทย', 'ภาษา', 'ขอบคุณ', 'กรุงเทพ'];

const punctuation = ['.', ',', '!', '?', ':', ';', "'", '"', '-', '(', ')', '{', '}', '[', ']', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** Every prefix of `piece` (by code point) of length >= 1, shortest first. */
function prefixes(piece: string): string[] {
  const chars = Array.from(piece);
  return chars.map((_, i) => chars.slice(0, i + 1).join(''));
}

export function buildTinyVocab(): TinyVocab {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
  const firstByteId = tokens.length;
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${hex2(b)}>`);
    types.push(TokenType.byte);
  }
  const firstPieceId = tokens.length;

  const seen = new Set<string>();
  const pieces: string[] = [];
  const add = (p: string): void => {
    if (p.length === 0 || seen.has(p)) return;
    seen.add(p);
    pieces.push(p);
  };

  // Single characters first, so any text built from them needs no byte fallback.
  add(spaceMark);
  const allWords = [...englishWords, ...hangulWords, ...thaiWords];
  for (const text of [...allWords, ...suffixes, ...hangulSuffixes, ...punctuation]) {
    for (const ch of Array.from(text)) add(ch);
  }
  for (let c = 65; c <= 90; c++) add(String.fromCharCode(c)); // A-Z
  for (let c = 97; c <= 122; c++) add(String.fromCharCode(c)); // a-z
  for (const word of allWords) for (const p of prefixes(spaceMark + word)) add(p);
  for (const suffix of [...suffixes, ...hangulSuffixes]) for (const p of prefixes(suffix)) add(p);

  // SPM merges the best-scoring pair first: favour longer pieces, ties broken by order.
  const scores: number[] = new Array<number>(firstPieceId).fill(0);
  pieces.forEach((p, i) => {
    tokens.push(p);
    types.push(TokenType.normal);
    scores.push(Array.from(p).length - i / 10_000);
  });

  return { tokens, scores, types, unkId: 0, bosId: 1, eosId: 2, firstByteId, firstPieceId };
}
