#!/usr/bin/env node
/**
 * How well "did our AI write this?" works. Texts are real: FLORES-200 dev sentences in ko, th, id,
 * vi, tl, ar and en, from ../shared/fixtures (beside the project; the benchmark says so and stops
 * when it is absent), grouped three sentences to a text. The first half of each language's texts
 * are indexed as outputs; the benchmark asks about (a) each output with 10% of its words edited
 * (replaced, deleted or inserted; for Thai, which has no spaces, 10% of its characters in short
 * runs), and (b) unrelated texts of the same language: the other half's texts, then texts of three
 * sentences drawn at random from the other half, until there are `--unrelated` per language (the
 * issue's 0.1% false match rate needs thousands to be confirmed: with none among n, the rate is
 * below 3/n at 95% confidence). Reports recall on (a) and the false match rate on (b), per
 * language, at the default threshold, and the time per query.
 * Usage: npm run build && node bench/provenance-detect.js [--seed 7] [--unrelated 1000]
 */
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DetectionIndex, defaultThreshold } from '../dist/audit/detection-index.js';
import { sketchOf } from '../dist/audit/shingles.js';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' }, unrelated: { type: 'string', default: '1000' } } });
const floresDir = new URL('../../shared/fixtures/eval/token-tax/flores200_dev/', import.meta.url).pathname;
const files = { ko: 'kor_Hang', th: 'tha_Thai', id: 'ind_Latn', vi: 'vie_Latn', tl: 'tgl_Latn', ar: 'arb_Arab', en: 'eng_Latn' };
if (!existsSync(floresDir)) {
  console.error(`FLORES-200 sentences not found at ${floresDir}: this benchmark needs ../shared/fixtures beside the project.`);
  process.exit(2);
}
const languages = Object.keys(files);
const key = Buffer.from('bench-detection-key');
let state = Number(values.seed);
const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);

function sentencesOf(language) {
  return readFileSync(`${floresDir}${files[language]}.dev`, 'utf8').split('\n').filter((line) => line.trim() !== '');
}

/** The language's sentences, three to a text. */
function texts(language) {
  const sentences = sentencesOf(language);
  const grouped = [];
  for (let index = 0; index + 3 <= sentences.length; index += 3) grouped.push(sentences.slice(index, index + 3).join(' '));
  return grouped;
}

function edit(text, language) {
  if (language === 'th') {
    const chars = [...text];
    const edits = Math.max(1, Math.round(chars.length * 0.1));
    for (let done = 0; done < edits; ) {
      const at = Math.floor(random() * chars.length);
      const run = Math.min(3, edits - done);
      chars.splice(at, run, ...'ฯ'.repeat(run));
      done += run;
    }
    return chars.join('');
  }
  const words = text.split(' ');
  const edits = Math.max(1, Math.round(words.length * 0.1));
  for (let done = 0; done < edits; done += 1) {
    const at = Math.floor(random() * words.length);
    const kind = random();
    if (kind < 0.4) words[at] = 'edited';
    else if (kind < 0.7) words.splice(at, 1);
    else words.splice(at, 0, 'inserted');
  }
  return words.join(' ');
}

const index = new DetectionIndex();
const outputs = [];
const unrelatedTexts = {};
for (const language of languages) {
  const all = texts(language);
  const half = Math.floor(all.length / 2);
  // Unrelated texts never share a sentence with an output: the second half's texts, then random
  // triples of the second half's sentences.
  const spare = sentencesOf(language).slice(half * 3);
  const unrelated = all.slice(half);
  const seen = new Set(unrelated);
  while (unrelated.length < Number(values.unrelated)) {
    const text = [0, 1, 2].map(() => spare[Math.floor(random() * spare.length)]).join(' ');
    if (!seen.has(text)) {
      seen.add(text);
      unrelated.push(text);
    }
  }
  unrelatedTexts[language] = unrelated;
  for (const [n, text] of all.slice(0, half).entries()) {
    const id = `${language}-${n}`;
    outputs.push({ id, language, text });
    index.add({ id, tenant: 't', sketch: sketchOf(text, key) });
  }
}
const rows = [];
let queries = 0;
const started = process.hrtime.bigint();
for (const language of languages) {
  const mine = outputs.filter((output) => output.language === language);
  let found = 0;
  for (const output of mine) {
    queries += 1;
    if (index.find(sketchOf(edit(output.text, language), key)).some((match) => match.id === output.id)) found += 1;
  }
  const unrelated = unrelatedTexts[language];
  let falseMatches = 0;
  for (const text of unrelated) {
    queries += 1;
    if (index.find(sketchOf(text, key)).length > 0) falseMatches += 1;
  }
  rows.push({ language, outputs: mine.length, recall: found / mine.length, unrelated: unrelated.length, falseMatchRate: falseMatches / Math.max(1, unrelated.length) });
}
const micros = Number(process.hrtime.bigint() - started) / 1000 / queries;
console.log(`${outputs.length} outputs indexed; threshold ${defaultThreshold}; ${micros.toFixed(0)} µs per query (sketch + search)`);
console.log('| language | outputs | recall at 10% edited | unrelated texts | false match rate |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.language} | ${row.outputs} | ${row.recall.toFixed(3)} | ${row.unrelated} | ${(row.falseMatchRate * 100).toFixed(2)}% |`);
const total = rows.reduce((sum, row) => sum + row.outputs, 0);
const unrelatedTotal = rows.reduce((sum, row) => sum + row.unrelated, 0);
console.log(`| all | ${total} | ${(rows.reduce((sum, row) => sum + row.recall * row.outputs, 0) / total).toFixed(3)} | ${rows.reduce((sum, row) => sum + row.unrelated, 0)} | ${((rows.reduce((sum, row) => sum + row.falseMatchRate * row.unrelated, 0) / rows.reduce((sum, row) => sum + row.unrelated, 0)) * 100).toFixed(2)}% |`);
const falseTotal = Math.round(rows.reduce((sum, row) => sum + row.falseMatchRate * row.unrelated, 0));
console.log(`${falseTotal} false matches among ${unrelatedTotal} unrelated texts${falseTotal === 0 ? `: below ${((3 / unrelatedTotal) * 100).toFixed(3)}% at 95% confidence` : ''}`);
