#!/usr/bin/env node
/**
 * What a tiktoken encoding costs a Nara process: the time to load it (the event loop is blocked for
 * most of it, which is why Nara loads encodings at start-up) and the memory it adds, each encoding
 * measured in a fresh process; then how long counting takes, Nara's counter against js-tiktoken's
 * own encode(). The figures are quoted in docs/decisions/0004-usage-when-engines-send-none.md.
 * Usage: npm run build && node bench/tokenizer-load.js
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const encodings = ['cl100k_base', 'o200k_base'];
const mib = (bytes) => (bytes / 1048576).toFixed(1);

/** Korean, Arabic and English as written; Thai as written too, which means no spaces between words. */
const samples = {
  'English 36 kB': 'The quick brown fox jumps over the lazy dog, and then it keeps running through the forest. '.repeat(400),
  'Korean 34k chars': '대한민국의 수도는 서울이며, 인구는 약 천만 명이다. 한국어는 교착어이다. '.repeat(800),
  'Arabic 30k chars': 'مرحبا بك في عالم الذكاء الاصطناعي، هذه جملة عربية للاختبار. '.repeat(500),
  'Thai 1k chars, no space': 'สวัสดีครับผมชื่อสมชายยินดีที่ได้รู้จัก'.repeat(26).slice(0, 1000),
};

function memory() {
  globalThis.gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

function timed(run) {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

/** In a fresh process: load one encoding the way Nara does (or as js-tiktoken's Tiktoken) and report. */
async function child(how, name) {
  const before = memory();
  const start = performance.now();
  let count;
  if (how === 'nara') {
    const { loadTokenCounters } = await import('../dist/tokenizers/token-counters.js');
    const counter = (await loadTokenCounters([name])).get(name);
    count = (text) => counter.count(text);
  } else {
    const { Tiktoken } = await import('js-tiktoken/lite');
    const ranks = (await import(`js-tiktoken/ranks/${name}`)).default;
    const encoder = new Tiktoken(ranks);
    count = (text) => encoder.encode(text, [], []).length;
  }
  const loadMs = performance.now() - start;
  const after = memory();
  const counts = {};
  for (const [label, text] of Object.entries(samples)) {
    count(text.slice(0, 200));
    const { value, ms } = timed(() => count(text));
    counts[label] = { tokens: value, ms };
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ loadMs, rss: after.rss - before.rss, heap: after.heap - before.heap, peakRss, baseRss: before.rss, counts }));
}

function measure(how, name) {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', how, name], { encoding: 'utf8' });
  return JSON.parse(out);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else {
  console.log(`node ${process.version}, ${process.platform} ${process.arch}; each row is a fresh process`);
  for (const name of encodings) {
    for (const how of ['nara', 'js-tiktoken']) {
      const r = measure(how, name);
      console.log(
        `${name} ${how.padEnd(11)} load ${r.loadMs.toFixed(0).padStart(5)} ms  RSS +${mib(r.rss)} MiB (peak ${mib(r.peakRss)} MiB from ${mib(r.baseRss)})  heap +${mib(r.heap)} MiB`,
      );
      for (const [label, c] of Object.entries(r.counts)) console.log(`    count ${label.padEnd(24)} ${String(c.tokens).padStart(6)} tokens ${c.ms.toFixed(1).padStart(8)} ms`);
    }
  }
}
