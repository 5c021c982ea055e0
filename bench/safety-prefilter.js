#!/usr/bin/env node
/**
 * What the local safety checks cost: the term-list prefilter (all seven languages' lists) on a
 * 2 KB prompt in each language, and stream moderation per streamed token (a 4-character piece)
 * against the relay's own per-chunk work (parsing the chunk's JSON), which it must stay within 5% of.
 * Usage: npm run build && node bench/safety-prefilter.js [--iterations 20000]
 */
import { Buffer } from 'node:buffer';
import { parseArgs } from 'node:util';
import { termIndexFor } from '../dist/config/safety-data.js';
import { localFindings } from '../dist/safety/moderation.js';
import { StreamModerator } from '../dist/safety/stream-moderator.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' } } });
const iterations = Number(values.iterations);
const set = { defaultAction: 'monitor', actions: new Map(), terms: termIndexFor(['ko', 'th', 'id', 'vi', 'tl', 'ar', 'en']), minSeverity: 'medium', rules: [] };
const samples = {
  en: 'Could you summarise the new data protection rules for hospitals and explain what changes for patients next year? ',
  ko: '내년부터 병원의 개인정보 보호 규정이 어떻게 바뀌는지 요약하고 환자에게 무엇이 달라지는지 설명해 주세요. ',
  th: 'ช่วยสรุปกฎการคุ้มครองข้อมูลส่วนบุคคลฉบับใหม่สำหรับโรงพยาบาลและอธิบายว่าผู้ป่วยจะได้รับผลกระทบอย่างไร ',
  vi: 'Bạn có thể tóm tắt các quy định mới về bảo vệ dữ liệu cá nhân cho bệnh viện và giải thích thay đổi cho bệnh nhân không? ',
  ar: 'هل يمكنك تلخيص القواعد الجديدة لحماية البيانات في المستشفيات وشرح ما الذي سيتغير للمرضى في العام القادم؟ ',
};
const micros = (start) => Number(process.hrtime.bigint() - start) / 1000;

console.log('| prompt (2 KB) | prefilter µs |');
console.log('|---|---|');
for (const [language, sentence] of Object.entries(samples)) {
  let text = '';
  while (Buffer.byteLength(text) < 2048) text += sentence;
  for (let index = 0; index < 2000; index += 1) localFindings(text, set, 'input');
  const start = process.hrtime.bigint();
  for (let index = 0; index < iterations; index += 1) localFindings(text, set, 'input');
  console.log(`| ${language} | ${(micros(start) / iterations).toFixed(1)} |`);
}

// Per streamed token: the relay parses each chunk's JSON; moderation adds a push per chunk.
const chunk = (piece) => JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'seed', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
const pieces = [];
const answer = samples.ko.repeat(40);
for (let at = 0; at < answer.length; at += 4) pieces.push(answer.slice(at, at + 4));
const chunks = pieces.map(chunk);
const run = (moderate) => {
  const moderator = new StreamModerator(set, 24);
  const start = process.hrtime.bigint();
  for (let round = 0; round < 20; round += 1) {
    for (const data of chunks) {
      const parsed = JSON.parse(data);
      if (moderate) moderator.push(parsed.choices[0].delta.content);
    }
  }
  return micros(start) / (20 * chunks.length);
};
for (let warm = 0; warm < 3; warm += 1) {
  run(true);
  run(false);
}
const plain = Math.min(run(false), run(false), run(false));
const moderated = Math.min(run(true), run(true), run(true));
console.log(`\nper streamed token: relay JSON parse ${plain.toFixed(2)} µs, with moderation ${moderated.toFixed(2)} µs (+${(moderated - plain).toFixed(2)} µs)`);
