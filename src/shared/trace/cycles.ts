/**
 * Pass 4 of linking: children lists, and parent cycles broken. A cycle leaves its spans unreachable from
 * every root, so the walk from the roots is counted first; only when it falls short (rare) are cycles
 * searched for, cut and warned about. Most traces never pay for the search.
 */
import type { Span } from '../model';
import type { Warnings } from './warnings';

export interface ChildLists {
  /** Children of node v are children[childStart[v] … childStart[v + 1]), in source order. */
  childStart: Int32Array;
  children: Int32Array;
  /** Nodes without a parent, in source order. */
  roots: number[];
}

export function childLists(parentOf: Int32Array): ChildLists {
  const n = parentOf.length;
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parentOf[i] >= 0) childStart[parentOf[i] + 1]++;
  for (let i = 0; i < n; i++) childStart[i + 1] += childStart[i];
  const children = new Int32Array(Math.max(0, childStart[n]));
  const fill = childStart.slice(0, n);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = parentOf[i];
    if (p >= 0) children[fill[p]++] = i;
    else roots.push(i);
  }
  return { childStart, children, roots };
}

/** How many nodes a walk from the roots reaches (all of them unless parents form a cycle). */
export function reachable({ childStart, children, roots }: ChildLists): number {
  const stack = new Int32Array(childStart.length);
  let top = 0;
  let count = 0;
  for (const r of roots) stack[top++] = r;
  while (top > 0) {
    const v = stack[--top];
    count++;
    for (let c = childStart[v]; c < childStart[v + 1]; c++) stack[top++] = children[c];
  }
  return count;
}

/** Walk up from each node; meeting a node of the current walk again means a loop: cut it there, and say so. */
export function breakCycles(spans: readonly Span[], parentOf: Int32Array, warn: Warnings): void {
  const n = parentOf.length;
  const state = new Uint8Array(n); // 0 new, 1 on the current walk, 2 done
  const walk: number[] = [];
  for (let i = 0; i < n; i++) {
    let v = i;
    while (v >= 0 && state[v] === 0) {
      state[v] = 1;
      walk.push(v);
      v = parentOf[v];
    }
    if (v >= 0 && state[v] === 1) {
      const loopParent = spans[parentOf[v]];
      parentOf[v] = -1;
      warn.add(v, { code: 'cycle', message: `parent chain loops back to this span (via ${loopParent?.spanId ?? '?'}); cycle broken here, shown as a root` });
    }
    for (const w of walk) state[w] = 2;
    walk.length = 0;
  }
}

/** The children lists of an acyclic parent array: cycles cut (and warned) first when there are any. */
export function acyclicChildLists(spans: readonly Span[], parentOf: Int32Array, warn: Warnings): ChildLists {
  const tree = childLists(parentOf);
  if (reachable(tree) === parentOf.length) return tree;
  breakCycles(spans, parentOf, warn);
  return childLists(parentOf);
}
