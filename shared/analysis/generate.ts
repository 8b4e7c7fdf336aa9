/**
 * Seeded Barabási–Albert preferential-attachment graphs, for benchmarks and tests. Like NetworkX's
 * generator it starts from a star on m + 1 nodes; every later node attaches to m distinct earlier
 * nodes drawn with probability proportional to their degree (a list holding each node once per
 * edge end makes that draw O(1)).
 */
import type { EdgeInput, GraphInput } from './graph.ts';
import { createRandom } from '../base/random.ts';

export function barabasiAlbert(n: number, m: number, seed: number): GraphInput {
  if (m < 1 || m >= n) throw new Error('Barabási–Albert needs 1 <= m < n');
  const random = createRandom(seed);
  const edges: EdgeInput[] = [];
  const ends: number[] = [];
  for (let leaf = 1; leaf <= m; leaf++) {
    edges.push({ source: '0', target: String(leaf) });
    ends.push(0, leaf);
  }
  const chosen = new Set<number>();
  for (let node = m + 1; node < n; node++) {
    chosen.clear();
    while (chosen.size < m) chosen.add(ends[Math.floor(random() * ends.length)]!);
    for (const target of chosen) {
      edges.push({ source: String(node), target: String(target) });
      ends.push(node, target);
    }
  }
  return { nodes: Array.from({ length: n }, (_, i) => String(i)), edges };
}
