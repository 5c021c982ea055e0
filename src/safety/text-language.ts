/**
 * A rough guess at a text's language, for counting (the console's "blocked by language"), never for
 * deciding anything: the script tells Korean, Thai, Arabic, Japanese and Chinese; among Latin texts
 * Vietnamese letters tell Vietnamese, and a handful of very common words tell English, Indonesian
 * and Tagalog apart. "und" when nothing stands out. Reads at most the first 2,000 characters.
 */
const sample = 2_000;

const latinWords: Readonly<Record<string, readonly string[]>> = {
  en: ['the', 'and', 'how', 'what', 'is', 'to', 'of', 'you', 'i', 'my', 'can', 'for', 'with', 'make'],
  id: ['yang', 'dan', 'cara', 'bagaimana', 'apa', 'untuk', 'saya', 'tidak', 'dengan', 'ini', 'itu', 'membuat', 'di'],
  tl: ['ang', 'ng', 'mga', 'sa', 'paano', 'ako', 'ko', 'na', 'ba', 'gumawa', 'ito', 'siya'],
};
const wordLanguage = new Map<string, string>();
for (const [language, words] of Object.entries(latinWords)) for (const word of words) wordLanguage.set(word, language);

export function guessLanguage(text: string): string {
  const head = text.length > sample ? text.slice(0, sample) : text;
  let hangul = 0;
  let thai = 0;
  let arabic = 0;
  let kana = 0;
  let han = 0;
  let latin = 0;
  let vietnamese = 0;
  for (let index = 0; index < head.length; index += 1) {
    const code = head.charCodeAt(index);
    if (code >= 0xac00 && code <= 0xd7a3) hangul += 1;
    else if (code >= 0x0e00 && code <= 0x0e7f) thai += 1;
    else if (code >= 0x0600 && code <= 0x06ff) arabic += 1;
    else if (code >= 0x3040 && code <= 0x30ff) kana += 1;
    else if (code >= 0x4e00 && code <= 0x9fff) han += 1;
    else if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) latin += 1;
    // ơ ư ă đ and the precomposed letters with tone marks (Latin Extended Additional).
    else if (code === 0x1a1 || code === 0x1a0 || code === 0x1b0 || code === 0x1af || code === 0x103 || code === 0x102 || code === 0x111 || code === 0x110 || (code >= 0x1ea0 && code <= 0x1ef9)) vietnamese += 1;
  }
  const scripts: [string, number][] = [['ko', hangul], ['th', thai], ['ar', arabic], ['ja', kana], ['zh', han]];
  const [script, count] = scripts.reduce((best, next) => (next[1] > best[1] ? next : best));
  if (count > 0 && count >= latin / 4) return script === 'zh' && kana > 0 ? 'ja' : script;
  if (vietnamese >= 2) return 'vi';
  if (latin === 0) return 'und';
  const votes = new Map<string, number>();
  for (const word of head.toLowerCase().split(/[^a-z]+/)) {
    const language = wordLanguage.get(word);
    if (language !== undefined) votes.set(language, (votes.get(language) ?? 0) + 1);
  }
  let best = 'und';
  let bestVotes = 0;
  for (const [language, count] of votes) if (count > bestVotes) [best, bestVotes] = [language, count];
  return best;
}
