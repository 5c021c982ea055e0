/**
 * The leaf facts of every segment of an audit log, computed in worker threads (one per core, at
 * most two segments in flight each): hashing every event is most of what verification costs, and
 * segments hash independently. Small logs (one segment) are read in this thread.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { prunedFacts, segmentFacts, type SegmentFacts } from '../audit/leaf-facts.js';
import type { VerifiedSegment } from '../audit/log-verifier.js';
import type { SegmentFile } from '../store/audit/segment-files.js';

/** The segments' facts in log order, each yielded as soon as it and every one before it are ready. */
export async function* readSegmentFacts(segments: readonly SegmentFile[]): AsyncGenerator<VerifiedSegment> {
  if (segments.length <= 1 || segments.every((segment) => segment.pruned)) {
    for (const segment of segments) yield { name: segment.name, firstIndex: segment.firstIndex, facts: factsOf(segment) };
    return;
  }
  const workers = Array.from({ length: Math.min(availableParallelism(), segments.length) }, () => new Worker(new URL('./audit-facts-worker.js', import.meta.url)));
  const pending: Promise<SegmentFacts>[] = [];
  const queues = workers.map(() => Promise.resolve());
  try {
    // Segment i goes to worker i mod n; each worker takes its segments one after another.
    segments.forEach((segment, index) => {
      const slot = index % workers.length;
      const worker = workers[slot] as Worker;
      if (segment.pruned) {
        pending.push(Promise.resolve(factsOf(segment)));
        return;
      }
      const job = (queues[slot] as Promise<unknown>).then(
        () =>
          new Promise<SegmentFacts>((resolve, reject) => {
            const onError = (error: Error) => reject(error);
            worker.once('error', onError);
            worker.once('message', (facts: SegmentFacts) => {
              worker.off('error', onError);
              resolve(facts);
            });
            worker.postMessage(segment.path);
          }),
      );
      queues[slot] = job.then(() => undefined, () => undefined);
      pending.push(job);
    });
    for (let index = 0; index < segments.length; index += 1) {
      const segment = segments[index] as SegmentFile;
      yield { name: segment.name, firstIndex: segment.firstIndex, facts: await (pending[index] as Promise<SegmentFacts>) };
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function factsOf(segment: SegmentFile): SegmentFacts {
  return segment.pruned ? prunedFacts(readFileSync(segment.hashesPath)) : segmentFacts(readFileSync(segment.path));
}

