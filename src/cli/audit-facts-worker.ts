/** Worker thread for `nara audit verify`: reads one segment and returns its leaf facts, buffers transferred. */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { segmentFacts } from '../audit/leaf-facts.js';

parentPort?.on('message', (path: string) => {
  const facts = segmentFacts(readFileSync(path));
  parentPort?.postMessage(facts, [facts.hashes.buffer, facts.statedIndex.buffer, facts.statedPrev.buffer, facts.prevReadable.buffer] as ArrayBuffer[]);
});
