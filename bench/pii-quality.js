#!/usr/bin/env node
/**
 * Quality of the PII scanner on the generated labelled corpus: precision, recall and F1 per type
 * (a found span counts when its type and offsets match a planted one exactly), false positives by
 * hard-negative kind, false positives per 100 KB of clean text, and scan speed over the corpus.
 * Usage: npm run build && node bench/pii-quality.js [--documents 4000] [--seed 1] [--clean-kb 1000]
 */
import { Buffer } from 'node:buffer';
import { parseArgs } from 'node:util';
import { generateCleanText, generateCorpus } from '../dist/dev/pii-corpus.js';
import { scan } from '../dist/pii/scanner.js';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '4000' },
    seed: { type: 'string', default: '1' },
    'clean-kb': { type: 'string', default: '1000' },
  },
});
const log = (line) => process.stdout.write(`${line}\n`);

const corpus = generateCorpus({ seed: Number(values.seed), documents: Number(values.documents) });
const perType = new Map();
const tally = (type) => {
  let entry = perType.get(type);
  if (entry === undefined) {
    entry = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
    perType.set(type, entry);
  }
  return entry;
};
const negativeHits = new Map();
let bytes = 0;
let scanNs = 0n;
// One untimed pass first, so the speed figure is of compiled code, not of the JIT warming up.
for (const document of corpus) scan(document.text);
for (const document of corpus) {
  bytes += Buffer.byteLength(document.text);
  const started = process.hrtime.bigint();
  const found = scan(document.text);
  scanNs += process.hrtime.bigint() - started;
  const planted = new Set(document.entities.map((entity) => `${entity.type}:${entity.start}:${entity.end}`));
  const matched = new Set();
  for (const entity of found) {
    const key = `${entity.type}:${entity.start}:${entity.end}`;
    if (planted.has(key)) {
      tally(entity.type).truePositives += 1;
      matched.add(key);
      continue;
    }
    tally(entity.type).falsePositives += 1;
    const negative = document.negatives.find((span) => entity.start < span.end && span.start < entity.end);
    if (negative !== undefined) negativeHits.set(negative.kind, (negativeHits.get(negative.kind) ?? 0) + 1);
  }
  for (const entity of document.entities) if (!matched.has(`${entity.type}:${entity.start}:${entity.end}`)) tally(entity.type).falseNegatives += 1;
}

log(`${corpus.length} documents, ${(bytes / 1024).toFixed(0)} KB, scanned at ${(bytes / 1e6 / (Number(scanNs) / 1e9)).toFixed(1)} MB/s`);
log('| type | planted | found right | precision | recall | F1 |');
log('|---|---|---|---|---|---|');
for (const [type, { truePositives, falsePositives, falseNegatives }] of [...perType].sort(([a], [b]) => a.localeCompare(b))) {
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  log(`| ${type} | ${truePositives + falseNegatives} | ${truePositives} | ${precision.toFixed(3)} | ${recall.toFixed(3)} | ${f1.toFixed(3)} |`);
}
log(`hard negatives reported: ${JSON.stringify(Object.fromEntries(negativeHits))}`);

const clean = generateCleanText({ seed: Number(values.seed), bytes: Number(values['clean-kb']) * 1024 });
const cleanFound = scan(clean);
const cleanKb = Buffer.byteLength(clean) / 1024;
log(`clean text: ${cleanFound.length} false positives in ${cleanKb.toFixed(0)} KB = ${((cleanFound.length / cleanKb) * 100).toFixed(2)} per 100 KB`);
