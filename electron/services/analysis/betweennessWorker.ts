/**
 * A worker_thread of the betweenness pool (betweennessThreads.ts): for each job it claims chunks of
 * the run's sources from the shared counter until none is left, answering each chunk with its raw
 * Brandes sums (transferred, not copied), then `done`. Everything graph-sized comes with the job, in
 * shared memory; the thread is kept for later runs, so it holds nothing between them.
 */
import { parentPort } from 'node:worker_threads';
import { claimChunk } from '../../../shared/analysis/betweennessParts.ts';
import { prepareBrandes } from '../../../shared/analysis/centrality.ts';
import type { ChunkJob, ChunkReply } from './betweennessThreads.ts';

const port = parentPort!;

port.on('message', (job: ChunkJob) => {
  const { id, bounds, counter } = job;
  try {
    let chunk = claimChunk(counter, bounds);
    // Prepared only once a chunk is claimed: a thread that starts late may find none left.
    const run = chunk === null ? null : prepareBrandes(job.graph, { weighted: job.weighted });
    for (; chunk !== null && run; chunk = claimChunk(counter, bounds)) {
      const started = performance.now();
      const raw = run(job.sources.subarray(bounds[chunk]!, bounds[chunk + 1]!));
      const reply: ChunkReply = { id, chunk, raw, ms: performance.now() - started };
      // A fresh array of its own: its buffer is a plain ArrayBuffer, handed over, not copied.
      port.postMessage(reply, [raw.buffer as ArrayBuffer]);
    }
    port.postMessage({ id, done: true } satisfies ChunkReply);
  } catch (error) {
    const reply: ChunkReply = { id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
