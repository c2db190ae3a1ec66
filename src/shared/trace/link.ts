/**
 * Flat spans → linked traces. Pipeline per trace (after Jaeger's transform-trace-data and Zipkin
 * Lens's span-node): merge pieces → index with unique ids (duplicates kept, renamed, warned) →
 * link (missing parent ⇒ root, counted as an orphan, never dropped; cycles broken and warned) →
 * repair missing times top-down → sort siblings by start → flatten pre-order with depth →
 * optional clock-skew correction. Nothing recurses on depth: a 100,000-deep chain is fine.
 */
import { traceIdKey } from '../ids';
import type { Span } from '../model';
import { formatDuration } from '../time';
import { mergePieces } from './merge';
import { SpanIdIndex } from './spanIdIndex';
import { correctClockSkew } from './skew';
import type { SpanWarning, Trace } from './trace';

export interface LinkOptions {
  /** Apply Zipkin-style clock-skew correction (off by default: moved spans are always marked). */
  adjustSkew?: boolean;
}

/** Group spans by trace (64- and 128-bit forms of one id together) and link each group. */
export function linkTraces(spans: readonly Span[], options: LinkOptions = {}): Trace[] {
  const groups = new Map<string, { spans: Span[]; traceId: string }>();
  let lastId: string | undefined;
  let last = { spans: [] as Span[], traceId: '' };
  for (const s of spans) {
    // Spans of a trace come together: look the group up once per run of one id.
    if (s.traceId !== lastId) {
      const key = traceIdKey(s.traceId);
      const g = groups.get(key);
      if (g) last = g;
      else groups.set(key, (last = { spans: [], traceId: s.traceId }));
      // The 128-bit spelling when any span has it: it carries more than the 64-bit one.
      if (s.traceId.length > last.traceId.length) last.traceId = s.traceId;
      lastId = s.traceId;
    }
    last.spans.push(s);
  }
  return [...groups.values()].map((g) => linkGroup(g.spans, options, g.traceId));
}

class Warnings {
  readonly byNode = new Map<number, SpanWarning[]>();
  add(node: number, w: SpanWarning): void {
    const list = this.byNode.get(node);
    if (list) list.push(w);
    else this.byNode.set(node, [w]);
  }
}

/** Link the spans of one trace. */
export function linkTrace(input: readonly Span[], options: LinkOptions = {}): Trace {
  let traceId = input.length ? input[0].traceId : '';
  for (const s of input) if (s.traceId.length > traceId.length) traceId = s.traceId;
  return linkGroup(input, options, traceId);
}

/** Link spans of one trace whose id (its longest spelling) the caller knows. */
function linkGroup(input: readonly Span[], options: LinkOptions, traceId: string): Trace {
  // Pieces and B3 shared halves both reuse a span id; without any repeated id there is nothing to merge
  // (the common case, checked while building the index it needs anyway). Ids as every decoder writes
  // them (16 hex digits) get the typed-array index; anything else a Map.
  let spans = input;
  let fast = SpanIdIndex.of(input);
  let index: Map<string, number> | null = null;
  if (!fast) {
    index = indexUnique(input);
    if (!index) spans = mergePieces(input);
  }
  const n = spans.length;
  const warn = new Warnings();

  // 0. One pass in source order over what the later steps need of each span: they then walk arrays in
  //    tree order instead of chasing 100,000 span objects around memory (a cache miss each).
  let anyShared = false;
  const rawStart = new Float64Array(n);
  const rawDuration = new Float64Array(n);
  let earliest = Infinity;
  let errorCount = 0;
  const services = new Set<string>();
  let lastService = '';
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    if (s.shared) anyShared = true;
    const st = s.startUs;
    rawStart[i] = st;
    rawDuration[i] = s.durationUs;
    if (Number.isFinite(st) && st < earliest) earliest = st;
    if (s.status.code === 'error') errorCount++;
    if (s.service !== lastService) {
      lastService = s.service;
      if (s.service) services.add(s.service);
    }
  }
  if (!Number.isFinite(earliest)) earliest = 0;

  // 1. Index. Shared server halves live under their own key so they never collide with the client.
  const uid: string[] = new Array(n);
  if ((fast || index) && !anyShared) {
    for (let i = 0; i < n; i++) uid[i] = spans[i].spanId;
  } else {
    fast = null;
    index = new Map<string, number>();
    const dupCount = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = spans[i];
      const key = s.shared ? `${s.spanId}:shared` : s.spanId;
      if (index.has(key)) {
        const k = (dupCount.get(key) ?? 0) + 1;
        dupCount.set(key, k);
        uid[i] = `${key}~${k}`;
        warn.add(i, { code: 'duplicate', message: `duplicate span id ${s.spanId}: this copy is kept and shown as ${uid[i]}` });
      } else {
        index.set(key, i);
        uid[i] = key;
      }
    }
  }

  // 2. Link to parents.
  const parentOf = new Int32Array(n).fill(-1);
  let orphanCount = 0;
  const selfParent = (i: number): void => warn.add(i, { code: 'self-parent', message: 'span names itself as its parent; shown as a root' });
  const orphan = (i: number, parentId: string): void => {
    orphanCount++;
    warn.add(i, { code: 'orphan', message: `parent ${parentId} is not in the trace; shown as a root` });
  };
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    let p = -1;
    if (fast) {
      // Unique ids and nothing shared: the parent's position says it all (its own position: it names itself).
      const parentId = s.parentId;
      if (parentId) {
        p = fast.get(parentId);
        if (p === i) {
          p = -1;
          selfParent(i);
        } else if (p < 0) orphan(i, parentId);
      }
      parentOf[i] = p;
      continue;
    }
    if (s.shared) {
      // A shared server half is the child of the client half with the same id.
      p = index!.get(s.spanId) ?? -1;
    }
    if (p < 0 && s.parentId) {
      if (s.parentId === s.spanId && !s.shared) selfParent(i);
      else {
        const client = index!.get(s.parentId);
        const server = anyShared ? index!.get(`${s.parentId}:shared`) : undefined;
        if (client !== undefined && server !== undefined) {
          // Children of a B3 shared id belong to the side that runs in their own service.
          p = spans[server].service === s.service || spans[client].service !== s.service ? server : client;
        } else p = client ?? server ?? -1;
        if (p === i) p = -1;
        if (p < 0) orphan(i, s.parentId);
      }
    }
    parentOf[i] = p;
  }

  // 3. Children lists (CSR) and roots. A parent cycle leaves its spans unreachable from every root, so
  //    count what a walk from the roots reaches; only when it falls short (rare) break the cycles and
  //    build the lists again. Most traces never pay for the cycle search.
  let tree = childLists(parentOf);
  if (reachable(tree) < n) {
    breakCycles(spans, parentOf, warn);
    tree = childLists(parentOf);
  }
  const { childStart, children, roots } = tree;

  // 4. Effective times, repaired top-down (a span without a start inherits its parent's).
  const start = new Float64Array(n);
  const duration = new Float64Array(n);
  // Each node is pushed once, so a stack of n never overflows (typed: no garbage on big traces).
  const stack = new Int32Array(n);
  let top = 0;
  for (let r = roots.length - 1; r >= 0; r--) stack[top++] = roots[r];
  while (top > 0) {
    const v = stack[--top];
    const st = rawStart[v];
    if (Number.isFinite(st)) start[v] = st;
    else {
      start[v] = parentOf[v] >= 0 ? start[parentOf[v]] : earliest;
      warn.add(v, { code: 'missing-start', message: 'no start time; drawn at its parent\u2019s start' });
    }
    const d = rawDuration[v];
    if (Number.isFinite(d) && d >= 0) duration[v] = d;
    else warn.add(v, { code: 'missing-duration', message: 'no duration (or it ended before it started); drawn as 0' });
    for (let c = childStart[v + 1] - 1; c >= childStart[v]; c--) stack[top++] = children[c];
  }

  // 5. Siblings by start time (stable on ties: source order). Every child list, and the roots, is in
  //    source order already, so sorting each list stably gives exactly that order; then flatten pre-order.
  for (let v = 0; v < n; v++) sortSiblings(children, childStart[v], childStart[v + 1], start);
  const rootList = Int32Array.from(roots);
  sortSiblings(rootList, 0, rootList.length, start);
  for (let r = 0; r < rootList.length; r++) roots[r] = rootList[r];
  const rowOf = new Int32Array(n);
  const order = new Int32Array(n);
  let rows = 0;
  const depthOf = new Int32Array(n);
  for (let r = roots.length - 1; r >= 0; r--) stack[top++] = roots[r];
  while (top > 0) {
    const v = stack[--top];
    rowOf[v] = rows;
    order[rows++] = v;
    const d = parentOf[v] >= 0 ? depthOf[parentOf[v]] + 1 : 0;
    depthOf[v] = d;
    for (let c = childStart[v + 1] - 1; c >= childStart[v]; c--) stack[top++] = children[c];
  }

  // 6. Row-ordered arrays.
  const rowSpans: Span[] = new Array(n);
  const rowUid: string[] = new Array(n);
  const parent = new Int32Array(n);
  const depth = new Int32Array(n);
  const childCount = new Int32Array(n);
  const rowStart = new Float64Array(n);
  const rowDuration = new Float64Array(n);
  const warnings = new Map<number, SpanWarning[]>();
  let levels = 0;
  for (let r = 0; r < n; r++) {
    const v = order[r];
    rowSpans[r] = spans[v];
    rowUid[r] = uid[v];
    parent[r] = parentOf[v] >= 0 ? rowOf[parentOf[v]] : -1;
    depth[r] = depthOf[v];
    if (depthOf[v] + 1 > levels) levels = depthOf[v] + 1;
    childCount[r] = childStart[v + 1] - childStart[v];
    rowStart[r] = start[v];
    rowDuration[r] = duration[v];
    const w = warn.byNode.get(v);
    if (w) warnings.set(r, w);
  }
  const subtreeEnd = new Int32Array(n);
  for (let r = n - 1; r >= 0; r--) {
    if (subtreeEnd[r] < r + 1) subtreeEnd[r] = r + 1;
    const p = parent[r];
    if (p >= 0 && subtreeEnd[p] < subtreeEnd[r]) subtreeEnd[p] = subtreeEnd[r];
  }

  const adjust = new Float64Array(n);
  if (options.adjustSkew && n > 0) {
    correctClockSkew(rowSpans, parent, rowStart, rowDuration, adjust);
    for (let r = 0; r < n; r++) {
      if (adjust[r] !== 0) {
        const list = warnings.get(r) ?? [];
        list.push({ code: 'skew', message: `clock skew: moved ${adjust[r] > 0 ? '+' : '\u2212'}${formatDuration(Math.abs(adjust[r]))} to sit inside its client span` });
        warnings.set(r, list);
      }
    }
  }

  let startUs = Infinity;
  let endUs = -Infinity;
  for (let r = 0; r < n; r++) {
    if (rowStart[r] < startUs) startUs = rowStart[r];
    if (rowStart[r] + rowDuration[r] > endUs) endUs = rowStart[r] + rowDuration[r];
  }
  if (n === 0) startUs = endUs = 0;

  return {
    traceId,
    spans: rowSpans,
    uid: rowUid,
    parent,
    depth,
    subtreeEnd,
    childCount,
    start: rowStart,
    duration: rowDuration,
    adjust,
    warnings,
    rootCount: roots.length,
    orphanCount,
    levels,
    startUs,
    endUs,
    services: [...services].sort(),
    errorCount,
  };
}

interface ChildLists {
  /** Children of node v are children[childStart[v] … childStart[v + 1]). */
  childStart: Int32Array;
  children: Int32Array;
  roots: number[];
}

function childLists(parentOf: Int32Array): ChildLists {
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
function reachable({ childStart, children, roots }: ChildLists): number {
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
function breakCycles(spans: readonly Span[], parentOf: Int32Array, warn: Warnings): void {
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

/** span id → position, or null as soon as an id repeats. */
function indexUnique(spans: readonly Span[]): Map<string, number> | null {
  const index = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) {
    const id = spans[i].spanId;
    if (index.has(id)) return null;
    index.set(id, i);
  }
  return index;
}

/**
 * Sort list[a, b) (node indices in ascending order) by start time, stably. Sibling lists are short:
 * an insertion sort there; a long one (a fan-out of thousands) takes the packed-key sort.
 */
function sortSiblings(list: Int32Array, a: number, b: number, start: Float64Array): void {
  if (b - a <= 32) {
    for (let i = a + 1; i < b; i++) {
      const v = list[i];
      const sv = start[v];
      let j = i - 1;
      while (j >= a && start[list[j]] > sv) {
        list[j + 1] = list[j];
        j--;
      }
      list[j + 1] = v;
    }
    return;
  }
  const range = list.slice(a, b);
  const starts = new Float64Array(b - a);
  for (let i = 0; i < starts.length; i++) starts[i] = start[range[i]];
  const order = sortByStart(starts);
  for (let i = 0; i < order.length; i++) list[a + i] = range[order[i]];
}

/**
 * Node indices ordered by start time, ties by index. When every start is a whole microsecond and
 * (range × count) fits in 2^53, (start − min) · 2^bits + index packs into one exact float, and the
 * typed array's native numeric sort does the work without a comparator — several times faster on
 * 100,000 spans. Otherwise a comparator sort.
 */
function sortByStart(start: Float64Array): Int32Array {
  const n = start.length;
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const s = start[i];
    if (s < min) min = s;
    if (s > max) max = s;
    if (integral && s !== Math.floor(s)) integral = false;
  }
  const bits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const scale = 2 ** bits;
  const out = new Int32Array(n);
  if (n > 0 && integral && (max - min + 1) * scale < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (start[i] - min) * scale + i;
    keys.sort();
    for (let i = 0; i < n; i++) out[i] = keys[i] % scale;
    return out;
  }
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a] - start[b] || a - b);
  out.set(idx);
  return out;
}
