#!/usr/bin/env node
/**
 * Speed of the PII scanner, with npm PII libraries side by side on the same text in the same run.
 * Builds about 10 MB of mixed-language prompts (ko, th, id, vi, tl, ar, ja, en) from the corpus
 * generator: clean paragraphs with one PII-bearing document (an ID, a phone, an e-mail… and hard
 * negatives) after every ~2 KB of prose (the share of bytes they take is printed).
 * Reports the median MB/s (UTF-8 bytes of input per second, one core) over --runs runs for the
 * mixed prompts, clean text only and the dense labelled corpus, and the median time to scan one
 * 2 KB prompt. The npm libraries read English patterns only, so their figures are for speed, not for
 * what they find.
 * Usage: npm run build && node bench/pii-speed.js [--mb 10] [--runs 5] [--seed 1]
 */
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { generateCleanText, generateCorpus } from '../dist/dev/pii-corpus.js';
import { scan } from '../dist/pii/scanner.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});
const log = (line) => process.stdout.write(`${line}\n`);
const seed = Number(values.seed);
const runs = Math.max(5, Number(values.runs));
const targetBytes = Number(values.mb) * 1024 * 1024;
/** Clean prose between two PII-bearing documents. */
const proseBetween = 2048;

function mixedPrompts() {
  const clean = generateCleanText({ seed, bytes: targetBytes });
  const documents = generateCorpus({ seed, documents: Math.ceil(targetBytes / proseBetween) });
  const parts = [];
  let at = 0;
  let index = 0;
  let piiBytes = 0;
  while (at < clean.length) {
    // Whole paragraphs up to ~2 KB of UTF-8 (Thai and Hangul take three bytes a character).
    let cut = at;
    let proseBytes = 0;
    while (cut < clean.length && proseBytes < proseBetween) {
      let next = clean.indexOf('\n\n', cut + 1);
      if (next < 0) next = clean.length;
      proseBytes += Buffer.byteLength(clean.slice(cut, next));
      cut = next;
    }
    parts.push(clean.slice(at, cut));
    const document = documents[index % documents.length].text;
    piiBytes += Buffer.byteLength(document);
    parts.push(document);
    index += 1;
    at = cut + 2;
  }
  const text = parts.join('\n\n');
  return { text, documents: index, piiShare: piiBytes / Buffer.byteLength(text) };
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median MB/s of `run(text)` over `runs` runs, after one warm-up run. */
function throughput(run, text) {
  const bytes = Buffer.byteLength(text);
  run(text);
  const seconds = [];
  for (let index = 0; index < runs; index += 1) {
    const started = process.hrtime.bigint();
    run(text);
    seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return bytes / 1e6 / median(seconds);
}

/** Median microseconds per call of `run(prompt)`, over batches of calls. */
function latency(run, prompt) {
  for (let index = 0; index < 200; index += 1) run(prompt);
  const batch = 100;
  const perCall = [];
  for (let round = 0; round < 51; round += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < batch; index += 1) run(prompt);
    perCall.push(Number(process.hrtime.bigint() - started) / 1e3 / batch);
  }
  return median(perCall);
}

/** The npm libraries that load; a missing one is reported, not fatal. */
async function npmLibraries() {
  const libraries = [];
  try {
    const { Redactor } = await import('@redactpii/node');
    const redactor = new Redactor();
    libraries.push({ name: '@redactpii/node (redact)', run: (text) => redactor.redact(text) });
  } catch (error) {
    log(`@redactpii/node not available: ${error.message}`);
  }
  try {
    const require = createRequire(import.meta.url);
    const { SyncRedactor } = require('redact-pii');
    const redactor = new SyncRedactor();
    libraries.push({ name: 'redact-pii (SyncRedactor)', run: (text) => redactor.redact(text) });
  } catch (error) {
    log(`(redact-pii is not installed: \`npm install --no-save redact-pii\` adds it to the comparison; ${error.code ?? 'error'})`);
  }
  return libraries;
}

const mixed = mixedPrompts();
const clean = generateCleanText({ seed: seed + 1, bytes: targetBytes });
const dense = generateCorpus({ seed, documents: 8000 })
  .map((document) => document.text)
  .join('\n\n');
// A 2 KB prompt: prose around one PII-bearing document, as a chat message would carry it.
const promptStart = mixed.text.indexOf('\n\n', 10_000) + 2;
let prompt = mixed.text.slice(promptStart, promptStart + 2048);
while (Buffer.byteLength(prompt) > 2048) prompt = prompt.slice(0, -1);

log(`mixed prompts: ${(Buffer.byteLength(mixed.text) / 1e6).toFixed(1)} MB, ${mixed.documents} PII-bearing documents (one per ~2 KB of prose, ${(mixed.piiShare * 100).toFixed(1)}% of bytes), ${scan(mixed.text).length} entities found`);
log(`clean text: ${(Buffer.byteLength(clean) / 1e6).toFixed(1)} MB; dense labelled corpus: ${(Buffer.byteLength(dense) / 1e6).toFixed(1)} MB; prompt: ${Buffer.byteLength(prompt)} bytes`);
log(`node ${process.version}, median of ${runs} runs, one core`);
log('');
log('| library | mixed prompts MB/s | clean text MB/s | dense corpus MB/s | 2 KB prompt µs |');
log('|---|---|---|---|---|');
const row = (name, run) => {
  const cells = [throughput(run, mixed.text), throughput(run, clean), throughput(run, dense)].map((value) => value.toFixed(1));
  log(`| ${name} | ${cells.join(' | ')} | ${latency(run, prompt).toFixed(1)} |`);
};
row('Nara scan (all recognizers)', scan);
for (const library of await npmLibraries()) row(library.name, library.run);
