/**
 * A worker_thread of the betweenness pool (betweennessThreads.ts): it answers each slice of a
 * run's sources with its raw Brandes sums (transferred, not copied). The rows come with every
 * slice, in shared memory; the thread is kept for later runs, so it holds nothing between them.
 */
import { parentPort } from 'node:worker_threads';
import { betweennessOfSlice } from '../../../shared/analysis/betweennessParts.ts';
import type { SliceReply, ThreadMessage } from './betweennessThreads.ts';

parentPort?.on('message', (message: ThreadMessage) => {
  let reply: SliceReply;
  try {
    const raw = betweennessOfSlice(message.graph, message.slice);
    reply = { id: message.id, raw };
    // A fresh array of its own: its buffer is a plain ArrayBuffer, handed over, not copied.
    parentPort!.postMessage(reply, [raw.buffer as ArrayBuffer]);
  } catch (error) {
    reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
    parentPort!.postMessage(reply);
  }
});
