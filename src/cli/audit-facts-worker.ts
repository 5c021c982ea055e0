/**
 * Worker thread for `nara audit verify`: reads one piece of a segment itself (so reading, like
 * hashing, runs on every core) and returns its leaf facts, buffers transferred back. A piece owns
 * the lines that start in its byte range [start, end): it skips the tail of a line begun before it
 * and reads on past `end` to finish its own last line.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { emptyFacts, factsOfLines, type SegmentFacts } from '../audit/leaf-facts.js';

export interface FactsJob {
  readonly path: string;
  /** The segment's size when verification began: a live log's later lines are not read. */
  readonly size: number;
  readonly start: number;
  readonly end: number;
}

const slack = 64 * 1024;

export function pieceFacts(job: FactsJob): SegmentFacts {
  const fd = openSync(job.path, 'r');
  try {
    for (let length = Math.min(job.size, job.end + slack) - job.start; ; length = Math.min(job.size - job.start, length * 2)) {
      // lines[0] is the byte before the piece (a placeholder newline before the segment's first line).
      const lines = Buffer.allocUnsafe(length + 1);
      if (job.start === 0) {
        lines[0] = 0x0a;
        readAll(fd, lines, 1, length, 0);
      } else readAll(fd, lines, 0, length + 1, job.start - 1);
      const limit = 1 + (job.end - job.start);
      const first = lines[0] === 0x0a ? 1 : lines.indexOf(0x0a, 1) + 1;
      if (first === 0 || first >= limit) return emptyFacts();
      const newline = lines.indexOf(0x0a, limit - 1);
      if (newline === -1 && job.start + length < job.size) continue;
      return factsOfLines(lines.subarray(0, newline === -1 ? lines.length : newline + 1), first);
    }
  } finally {
    closeSync(fd);
  }
}

function readAll(fd: number, into: Buffer, offset: number, length: number, position: number): void {
  for (let done = 0; done < length; ) {
    const read = readSync(fd, into, offset + done, length - done, position + done);
    if (read === 0) throw new Error(`the segment ended at byte ${position + done} while being read`);
    done += read;
  }
}

parentPort?.on('message', (job: FactsJob) => {
  const facts = pieceFacts(job);
  parentPort?.postMessage(facts, [facts.hashes.buffer, facts.statedIndex.buffer, facts.statedPrev.buffer, facts.prevReadable.buffer] as ArrayBuffer[]);
});
