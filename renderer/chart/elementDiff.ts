/**
 * The change set between the view model last applied to Cytoscape and the next one, so the
 * adapter patches the live graph (keeping zoom, selection and nodes mid-drag) instead of
 * rebuilding it. Positions are compared with the model last applied, not with the canvas: a
 * node the user has dragged but not yet saved stays where the user put it until the saved
 * position really changes.
 */
import type { ChartEdgeModel, ChartNodeModel, ChartViewModel } from './chartModel.ts';

export interface ElementPatch {
  readonly removeNodes: string[];
  readonly removeEdges: string[];
  readonly addNodes: ChartNodeModel[];
  readonly addEdges: ChartEdgeModel[];
  /** Nodes whose data (label, type, style overrides) changed. */
  readonly updateNodes: ChartNodeModel[];
  readonly updateEdges: ChartEdgeModel[];
  /** Nodes whose saved position changed since the last apply. */
  readonly moveNodes: ChartNodeModel[];
}

function sameNodeData(a: ChartNodeModel, b: ChartNodeModel): boolean {
  return (
    a.label === b.label &&
    a.schema === b.schema &&
    a.iconKey === b.iconKey &&
    a.color === b.color &&
    a.size === b.size &&
    a.borderColor === b.borderColor &&
    a.parent === b.parent &&
    (a.classes ?? '') === (b.classes ?? '')
  );
}

function sameEdgeData(a: ChartEdgeModel, b: ChartEdgeModel): boolean {
  return (
    a.label === b.label &&
    a.schema === b.schema &&
    a.directed === b.directed &&
    a.width === b.width &&
    (a.members?.length ?? 0) === (b.members?.length ?? 0) &&
    (a.classes ?? '') === (b.classes ?? '')
  );
}

function sameObjects<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function diffViewModels(prev: ChartViewModel, next: ChartViewModel): ElementPatch {
  const patch: ElementPatch = {
    removeNodes: [],
    removeEdges: [],
    addNodes: [],
    addEdges: [],
    updateNodes: [],
    updateEdges: [],
    moveNodes: [],
  };
  const prevNodes = new Map(prev.nodes.map((n) => [n.id, n]));
  const nextNodeIds = new Set(next.nodes.map((n) => n.id));
  for (const id of prevNodes.keys()) if (!nextNodeIds.has(id)) patch.removeNodes.push(id);

  for (const node of next.nodes) {
    const old = prevNodes.get(node.id);
    if (!old) {
      patch.addNodes.push(node);
      continue;
    }
    if (!sameNodeData(old, node)) patch.updateNodes.push(node);
    if (old.x !== node.x || old.y !== node.y) patch.moveNodes.push(node);
  }
  // The same edge objects in the same order (a saved drag patches only node models): nothing to
  // compare, and no maps of 100,000 edges to build.
  if (sameObjects(prev.edges, next.edges)) return patch;
  const prevEdges = new Map(prev.edges.map((e) => [e.id, e]));
  const nextEdgeIds = new Set(next.edges.map((e) => e.id));
  for (const id of prevEdges.keys()) if (!nextEdgeIds.has(id)) patch.removeEdges.push(id);
  for (const edge of next.edges) {
    const old = prevEdges.get(edge.id);
    if (!old) {
      patch.addEdges.push(edge);
    } else if (old.source !== edge.source || old.target !== edge.target) {
      // Cytoscape edges cannot change ends in place through data(); replace the edge.
      patch.removeEdges.push(edge.id);
      patch.addEdges.push(edge);
    } else if (!sameEdgeData(old, edge)) {
      patch.updateEdges.push(edge);
    }
  }
  return patch;
}

export function isEmptyPatch(patch: ElementPatch): boolean {
  return Object.values(patch).every((list: unknown[]) => list.length === 0);
}

/**
 * `patch` (from `previous` to `next`) cut to add at most `limit` nodes (those outside groups
 * first, so groups come before their members) and only the edges whose two ends are then
 * present; everything else in the patch (removals, updates, moves) is kept. `applied` is what the graph shows once that part is applied: diffing it against `next`
 * again gives the rest. A huge chart fills its window this way over several frames.
 */
export function limitAdditions(
  previous: ChartViewModel,
  next: ChartViewModel,
  patch: ElementPatch,
  limit: number,
): { patch: ElementPatch; applied: ChartViewModel } {
  if (patch.addNodes.length <= limit) return { patch, applied: next };
  const groupsFirst = [...patch.addNodes].sort(
    (a, b) => Number(b.parent === undefined) - Number(a.parent === undefined),
  );
  const addNodes = groupsFirst.slice(0, limit);
  const removedNodes = new Set(patch.removeNodes);
  const presentNodes = new Set(
    previous.nodes.filter((node) => !removedNodes.has(node.id)).map((node) => node.id),
  );
  for (const node of addNodes) presentNodes.add(node.id);
  const addEdges = patch.addEdges.filter(
    (edge) => presentNodes.has(edge.source) && presentNodes.has(edge.target),
  );
  const removedEdges = new Set(patch.removeEdges);
  const presentEdges = new Set(
    previous.edges.filter((edge) => !removedEdges.has(edge.id)).map((edge) => edge.id),
  );
  for (const edge of addEdges) presentEdges.add(edge.id);
  return {
    patch: { ...patch, addNodes, addEdges },
    applied: {
      nodes: next.nodes.filter((node) => presentNodes.has(node.id)),
      edges: next.edges.filter((edge) => presentEdges.has(edge.id)),
    },
  };
}
