/**
 * The leaf facts of every segment of an audit log, computed in worker threads: hashing every event
 * is most of what verification costs, and lines hash independently. Each segment is cut into pieces
 * of about `pieceBytes`, which the workers (one per core) read and hash as they become free; the
 * next segment's pieces are queued while this thread builds the tree from the previous one. Small logs are read in this thread (starting workers would cost more).
 */
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { prunedFacts, segmentFacts, type SegmentFacts } from '../audit/leaf-facts.js';
import type { VerifiedSegment } from '../audit/log-verifier.js';
import type { SegmentFile } from '../store/audit/segment-files.js';
import type { FactsJob } from './audit-facts-worker.js';

export interface FactsReading {
  /** About how many bytes a worker hashes at a time. */
  readonly pieceBytes: number;
  /** Below this many bytes in all, workers would cost more to start than they save. */
  readonly inThreadBytes: number;
}

const defaultReading: FactsReading = { pieceBytes: 4 * 1024 * 1024, inThreadBytes: 8 * 1024 * 1024 };

/** The segments' facts in log order, each yielded as soon as it and every one before it are ready. */
export async function* readSegmentFacts(segments: readonly SegmentFile[], reading: FactsReading = defaultReading): AsyncGenerator<VerifiedSegment> {
  const total = segments.reduce((sum, segment) => sum + (segment.pruned ? 0 : sizeOf(segment.path)), 0);
  if (total < reading.inThreadBytes) {
    for (const segment of segments) yield { name: segment.name, firstIndex: segment.firstIndex, facts: factsHere(segment) };
    return;
  }
  const pool = new WorkerPool(Math.max(1, availableParallelism()), reading.pieceBytes);
  try {
    // Pieces are yielded as they finish, in order, so the tree grows while later pieces hash; the
    // next segment is queued when this one starts being yielded.
    let next = segments[0] === undefined ? undefined : pool.segment(segments[0]);
    for (let index = 0; index < segments.length; index += 1) {
      const current = next as Promise<SegmentFacts>[];
      const following = segments[index + 1];
      next = following === undefined ? undefined : pool.segment(following);
      const segment = segments[index] as SegmentFile;
      let line = 0;
      for (const piece of current) {
        const facts = await piece;
        yield { name: segment.name, firstIndex: segment.firstIndex, facts, ...(line === 0 ? {} : { continuesAtLine: line }) };
        line += facts.count;
      }
    }
  } finally {
    await pool.close();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function factsHere(segment: SegmentFile): SegmentFacts {
  return segment.pruned ? prunedFacts(readFileSync(segment.hashesPath)) : segmentFacts(readFileSync(segment.path));
}

/** Byte ranges of about pieceBytes covering a segment of `size` bytes (each worker aligns its own to lines). */
function pieces(size: number, pieceBytes: number): { start: number; end: number }[] {
  const cuts: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += pieceBytes) cuts.push({ start, end: Math.min(size, start + pieceBytes) });
  return cuts;
}

interface Waiting {
  readonly job: FactsJob;
  readonly resolve: (facts: SegmentFacts) => void;
  readonly reject: (error: unknown) => void;
}

class WorkerPool {
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #waiting: Waiting[] = [];
  readonly #pieceBytes: number;

  constructor(size: number, pieceBytes: number) {
    this.#pieceBytes = pieceBytes;
    for (let index = 0; index < size; index += 1) {
      const worker = new Worker(new URL('./audit-facts-worker.js', import.meta.url));
      this.#all.push(worker);
      this.#idle.push(worker);
    }
  }

  /** A segment's facts, piece by piece: a pruned one's (its kept hashes) here, others hashed in the workers. */
  segment(segment: SegmentFile): Promise<SegmentFacts>[] {
    if (segment.pruned) return [Promise.resolve(factsHere(segment))];
    const size = sizeOf(segment.path);
    return pieces(size, this.#pieceBytes).map((piece) => this.#run({ path: segment.path, size, ...piece }));
  }

  #run(job: FactsJob): Promise<SegmentFacts> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#waiting.length > 0) {
      const worker = this.#idle.pop() as Worker;
      const { job, resolve, reject } = this.#waiting.shift() as Waiting;
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.once('message', (facts: SegmentFacts) => {
        worker.off('error', onError);
        this.#idle.push(worker);
        resolve(facts);
        this.#dispatch();
      });
      worker.postMessage(job);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((worker) => worker.terminate()));
  }
}
