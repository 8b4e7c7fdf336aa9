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

/**
 * Whether `patch` only adds and removes plain elements: no data updates, no moves, no edge
 * replaced under the same id and no group (compound) node. A window change of a huge chart is such
 * a patch (the same view, another rectangle of it), and only such a patch is sliced both ways by
 * `sliceWindowPatch`: with groups, a removed parent takes its children along in Cytoscape, and a
 * replaced edge must leave before it comes back.
 */
function isPlainWindowPatch(previous: ChartViewModel, patch: ElementPatch): boolean {
  if (patch.updateNodes.length > 0 || patch.updateEdges.length > 0 || patch.moveNodes.length > 0) {
    return false;
  }
  if (patch.addNodes.some((node) => node.parent !== undefined || isGroup(node))) return false;
  if (patch.removeNodes.length > 0) {
    const removed = new Set(patch.removeNodes);
    for (const node of previous.nodes) {
      if (node.parent !== undefined && (removed.has(node.id) || removed.has(node.parent))) {
        return false;
      }
      if (removed.has(node.id) && isGroup(node)) return false;
    }
  }
  if (patch.removeEdges.length > 0 && patch.addEdges.length > 0) {
    const removed = new Set(patch.removeEdges);
    if (patch.addEdges.some((edge) => removed.has(edge.id))) return false;
  }
  return true;
}

function isGroup(node: ChartNodeModel): boolean {
  return (node.classes ?? '').split(' ').includes('chart-group');
}

/** What one frame of a huge chart's window change applies (see sliceWindowPatch). */
export interface WindowSlice {
  readonly patch: ElementPatch;
  /** What the graph holds once `patch` is applied; `next` itself when nothing is left. */
  readonly applied: ChartViewModel;
}

/**
 * One frame's share of the change from `previous` (what Cytoscape holds) to `next` (the window
 * it should hold): at most `budget` elements added or removed, nodes and edges alike, because
 * Cytoscape styles every added element and measures its bounds in the frame after it is added
 * (cold, its style code took ~1 ms an element in the first window of a session: the long frame
 * at the end of a zoom-in, bench/profiles/chart.md §9).
 *
 * Order: additions first, the nodes nearest `centre` (the middle of the view) first, each with
 * the edges it completes (so what the user looks at fills before the margin); then removals,
 * edges before nodes (a node leaves only once no held edge needs it). A slice always moves at
 * least one node or edge, so repeated slices reach `next`. Patches that are not plain window
 * changes (updates, moves, replaced edges, groups) are applied whole, as before this existed,
 * but for their additions, cut by `limitAdditions` to `budget` nodes.
 */
export function sliceWindowPatch(
  previous: ChartViewModel,
  next: ChartViewModel,
  patch: ElementPatch,
  budget: number,
  centre: { readonly x: number; readonly y: number },
): WindowSlice {
  const pending =
    patch.addNodes.length +
    patch.addEdges.length +
    patch.removeNodes.length +
    patch.removeEdges.length;
  if (pending <= budget) return { patch, applied: next };
  if (!isPlainWindowPatch(previous, patch)) return limitAdditions(previous, next, patch, budget);

  const present = new Set(previous.nodes.map((node) => node.id));
  const addEdges: ChartEdgeModel[] = [];
  const addNodes: ChartNodeModel[] = [];
  let used = 0;
  // Edges between nodes already held come first (nothing else has to arrive for them); the others
  // wait, under each end not held yet, for the node that completes them.
  let heldEdgesLeft = 0;
  const waiting = new Map<string, ChartEdgeModel[]>();
  const wait = (end: string, edge: ChartEdgeModel) => {
    const list = waiting.get(end);
    if (list) list.push(edge);
    else waiting.set(end, [edge]);
  };
  for (const edge of patch.addEdges) {
    const sourceHeld = present.has(edge.source);
    const targetHeld = present.has(edge.target);
    if (sourceHeld && targetHeld) {
      if (used < budget) {
        addEdges.push(edge);
        used++;
      } else heldEdgesLeft++;
      continue;
    }
    if (!sourceHeld) wait(edge.source, edge);
    if (!targetHeld && edge.target !== edge.source) wait(edge.target, edge);
  }
  const distance = (node: ChartNodeModel) => (node.x - centre.x) ** 2 + (node.y - centre.y) ** 2;
  const nearestFirst = patch.addNodes
    .map((node) => ({ node, distance: distance(node) }))
    .sort((a, b) => a.distance - b.distance);
  for (const { node } of nearestFirst) {
    // The edges this node completes: their other end is held or already in this slice.
    const completes = (waiting.get(node.id) ?? []).filter((edge) => {
      const other = edge.source === node.id ? edge.target : edge.source;
      return other === node.id || present.has(other);
    });
    const cost = 1 + completes.length;
    if (used > 0 && used + cost > budget) break;
    present.add(node.id);
    addNodes.push(node);
    addEdges.push(...completes);
    used += cost;
  }
  // An edge whose end is in neither model is never added (a view has none); it cannot hold the
  // removals back.
  const addsDone = heldEdgesLeft === 0 && addNodes.length === patch.addNodes.length;

  // Removals once every addition is in: edges first, then nodes, within what is left.
  const removeEdges: string[] = [];
  const removeNodes: string[] = [];
  if (addsDone) {
    for (const id of patch.removeEdges) {
      if (used >= budget && used > 0) break;
      removeEdges.push(id);
      used++;
    }
    if (removeEdges.length === patch.removeEdges.length) {
      for (const id of patch.removeNodes) {
        if (used >= budget && used > 0) break;
        removeNodes.push(id);
        used++;
      }
    }
  }
  const done =
    addsDone &&
    removeEdges.length === patch.removeEdges.length &&
    removeNodes.length === patch.removeNodes.length;
  const slice: ElementPatch = {
    removeNodes,
    removeEdges,
    addNodes,
    addEdges,
    updateNodes: [],
    updateEdges: [],
    moveNodes: [],
  };
  if (done) return { patch: slice, applied: next };
  const goneNodes = new Set(removeNodes);
  const goneEdges = new Set(removeEdges);
  return {
    patch: slice,
    applied: {
      nodes: [...previous.nodes.filter((node) => !goneNodes.has(node.id)), ...addNodes],
      edges: [...previous.edges.filter((edge) => !goneEdges.has(edge.id)), ...addEdges],
    },
  };
}

/**
 * What is left of a plain window change `whole` (from `previous`) once `slice` (its first slice,
 * from sliceWindowPatch) is applied: the same lists, in the same order, as diffing what the graph
 * then holds against the window again, without building maps of every element held and wanted
 * for each slice (a 50k zoom-in's slices re-diffed ~2,000 nodes and ~4,000 edges a frame, and
 * the garbage was most of a 100 ms collection). Undefined for a patch that is not a plain window
 * change (updates, moves, groups, replaced edges): diff those again.
 */
export function windowPatchRest(
  previous: ChartViewModel,
  whole: ElementPatch,
  slice: ElementPatch,
): ElementPatch | undefined {
  if (!isPlainWindowPatch(previous, whole)) return undefined;
  const without = <T>(list: readonly T[], done: readonly T[], id: (item: T) => string): T[] => {
    if (done.length === 0) return [...list];
    const gone = new Set(done.map(id));
    return list.filter((item) => !gone.has(id(item)));
  };
  const same = (id: string) => id;
  const byId = (item: { readonly id: string }) => item.id;
  return {
    removeNodes: without(whole.removeNodes, slice.removeNodes, same),
    removeEdges: without(whole.removeEdges, slice.removeEdges, same),
    addNodes: without(whole.addNodes, slice.addNodes, byId),
    addEdges: without(whole.addEdges, slice.addEdges, byId),
    updateNodes: [],
    updateEdges: [],
    moveNodes: [],
  };
}
