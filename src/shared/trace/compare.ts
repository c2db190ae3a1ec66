/**
 * Comparing two traces by structure and latency. Both trees are folded onto one tree of
 * service/operation paths: sibling spans with the same service and name become one node with a count
 * (as Jaeger's trace comparison groups them), and a node of A and one of B are the same node when
 * their paths from the root are the same. Each node then carries count, summed duration, summed self
 * time and errors on both sides, whether it is on either trace's critical path, and the rows behind it
 * so a view can list and open them.
 *
 * The folding is symmetric, so compare(B, A) is compare(A, B) with the sides swapped, and compare(A, A)
 * reports no change anywhere.
 */
import { criticalRows } from './criticalPath';
import { selfTimes } from './selfTime';
import { operationKey } from './stats';
import type { Trace } from './trace';

export interface CompareSide {
  traceId: string;
  spanCount: number;
  durationUs: number;
}

export interface CompareNode {
  /** `service: name` of each span from the root down to this node. */
  path: string[];
  countA: number;
  countB: number;
  durationA: number;
  durationB: number;
  selfA: number;
  selfB: number;
  errorsA: number;
  errorsB: number;
  /** Present in one trace only. */
  onlyIn?: 'a' | 'b';
  /** Any of the node's spans lies on that trace's critical path. */
  criticalA: boolean;
  criticalB: boolean;
  /** The node's spans in each trace (rows of the linked traces), in row order. */
  rowsA: number[];
  rowsB: number[];
  /** The node's parent in `nodes`, -1 for a root. */
  parent: number;
}

export interface Comparison {
  a: CompareSide;
  b: CompareSide;
  /** Largest change first (see `changeOf`); every node of either trace is here exactly once. */
  nodes: CompareNode[];
  /** Each row's self time in A and in B (what the nodes sum), for views that list single spans. */
  selfA: Float64Array;
  selfB: Float64Array;
}

/** What `trace-explorer compare --json` prints per node (µs). */
export type CompareNodeJson = Pick<CompareNode, 'path' | 'countA' | 'countB' | 'durationA' | 'durationB' | 'selfA' | 'selfB' | 'errorsA' | 'errorsB' | 'onlyIn'>;

const side = (t: Trace): CompareSide => ({ traceId: t.traceId, spanCount: t.spans.length, durationUs: t.spans.length ? t.endUs - t.startUs : 0 });

export function compareTraces(a: Trace, b: Trace): Comparison {
  const nodes: CompareNode[] = [];
  const ids = new Map<string, number>();
  const fold = (t: Trace, which: 'A' | 'B', self: Float64Array): void => {
    const critical = criticalRows(t);
    const nodeOf = new Int32Array(t.spans.length);
    for (let r = 0; r < t.spans.length; r++) {
      const s = t.spans[r];
      const parentNode = t.parent[r] >= 0 ? nodeOf[t.parent[r]] : -1;
      const label = operationKey(s.service, s.name);
      const key = `${parentNode}\u0000${label}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = nodes.length;
        ids.set(key, id);
        const path = parentNode >= 0 ? [...nodes[parentNode].path, label] : [label];
        nodes.push({ path, countA: 0, countB: 0, durationA: 0, durationB: 0, selfA: 0, selfB: 0, errorsA: 0, errorsB: 0, criticalA: false, criticalB: false, rowsA: [], rowsB: [], parent: parentNode });
      }
      nodeOf[r] = id;
      const n = nodes[id];
      n[`count${which}`]++;
      n[`duration${which}`] += t.duration[r];
      n[`self${which}`] += self[r];
      if (s.status.code === 'error') n[`errors${which}`]++;
      if (critical.has(r)) n[`critical${which}`] = true;
      n[`rows${which}`].push(r);
    }
  };
  const selfA = selfTimes(a);
  const selfB = selfTimes(b);
  fold(a, 'A', selfA);
  fold(b, 'B', selfB);
  for (const n of nodes) {
    if (!n.countB) n.onlyIn = 'a';
    else if (!n.countA) n.onlyIn = 'b';
  }
  // Sorted by a key that is the same for both orders of A and B, so the two orders list alike.
  const order = nodes.map((_, i) => i);
  const pathKey = nodes.map((n) => n.path.join('\u0000'));
  order.sort((x, y) => {
    const nx = nodes[x];
    const ny = nodes[y];
    return changeOf(ny) - changeOf(nx) || Math.abs(ny.selfB - ny.selfA) - Math.abs(nx.selfB - nx.selfA) || Math.abs(ny.countB - ny.countA) - Math.abs(nx.countB - nx.countA) || (pathKey[x] < pathKey[y] ? -1 : pathKey[x] > pathKey[y] ? 1 : 0);
  });
  const newIndex = new Int32Array(nodes.length);
  order.forEach((old, i) => (newIndex[old] = i));
  const sorted = order.map((i) => {
    const n = nodes[i];
    return { ...n, parent: n.parent >= 0 ? newIndex[n.parent] : -1 };
  });
  return { a: side(a), b: side(b), nodes: sorted, selfA, selfB };
}

/** How much a node changed, in µs of summed duration (a node in one trace only: all of its duration). */
export function changeOf(n: Pick<CompareNode, 'durationA' | 'durationB'>): number {
  return Math.abs(n.durationB - n.durationA);
}

export interface ChangeThreshold {
  /** A change of summed duration below this many µs is no change (default 0). */
  minUs?: number;
  /** …or below this fraction of A's duration (default 0). */
  minRelative?: number;
}

/**
 * Whether a node changed enough to show: added or removed, a different count or number of errors, or
 * a duration change above both thresholds.
 */
export function isChanged(n: Pick<CompareNode, 'onlyIn' | 'countA' | 'countB' | 'errorsA' | 'errorsB' | 'durationA' | 'durationB'>, t: ChangeThreshold = {}): boolean {
  if (n.onlyIn || n.countA !== n.countB || n.errorsA !== n.errorsB) return true;
  const delta = changeOf(n);
  return delta > 0 && delta >= (t.minUs ?? 0) && delta >= (t.minRelative ?? 0) * n.durationA;
}

/** Relative change of B against A (0.25 = 25 % slower); undefined when A has none of the node. */
export function relativeChange(a: number, b: number): number | undefined {
  return a > 0 ? (b - a) / a : undefined;
}

export function comparisonJson(c: Comparison): { a: CompareSide; b: CompareSide; nodes: CompareNodeJson[] } {
  return {
    a: c.a,
    b: c.b,
    nodes: c.nodes.map((n) => {
      const j: CompareNodeJson = { path: n.path, countA: n.countA, countB: n.countB, durationA: n.durationA, durationB: n.durationB, selfA: n.selfA, selfB: n.selfB, errorsA: n.errorsA, errorsB: n.errorsB };
      if (n.onlyIn) j.onlyIn = n.onlyIn;
      return j;
    }),
  };
}
