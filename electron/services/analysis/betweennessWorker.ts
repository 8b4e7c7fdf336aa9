/**
 * A worker_thread of the betweenness pool (betweennessThreads.ts): it receives the graph's rows
 * once, then answers each slice of the run's sources with its raw Brandes sums (transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import { betweennessOfSlice } from '../../../shared/analysis/betweennessParts.ts';
import type { BrandesGraph } from '../../../shared/analysis/centrality.ts';
import type { SliceReply, ThreadMessage } from './betweennessThreads.ts';

let graph: BrandesGraph | null = null;

parentPort?.on('message', (message: ThreadMessage) => {
  if (message.type === 'graph') {
    graph = message.graph;
    return;
  }
  let reply: SliceReply;
  try {
    if (!graph) throw new Error('no graph was sent before the slice');
    const raw = betweennessOfSlice(graph, message.slice);
    reply = { id: message.id, raw };
    // A fresh array of its own: its buffer is a plain ArrayBuffer, handed over, not copied.
    parentPort!.postMessage(reply, [raw.buffer as ArrayBuffer]);
  } catch (error) {
    reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
    parentPort!.postMessage(reply);
  }
});
