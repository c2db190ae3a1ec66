/**
 * Flat spans → linked traces. Named passes per trace (after Jaeger UI's transform-trace-data and Zipkin's
 * span-cleaner / span-node), each in a module of its own with its own tests:
 *   1. merge pieces (merge.ts): records of one span become one; B3 shared halves are marked;
 *   2. index (indexSpans.ts): a unique key per span, duplicates kept, renamed and warned;
 *   3. place children (placeChildren.ts): parents by id, and by kind, host and time where an id names
 *      several spans; a missing parent makes a root, counted as an orphan, never dropped;
 *   4. break cycles (cycles.ts);
 *   5. order (order.ts): times repaired top-down, siblings by start, pre-order with depth;
 *   6. rows (here): the Trace's parallel arrays, optional clock-skew correction.
 * Without a repeated id (the common case) passes 1-2 are skipped and 3 uses a typed-array index.
 * Nothing recurses on depth: a 100,000-deep chain is fine.
 */
import { traceIdKey } from '../ids';
import type { Span } from '../model';
import { formatDuration } from '../time';
import { acyclicChildLists, type ChildLists } from './cycles';
import { indexSpans } from './indexSpans';
import { mergePieces } from './merge';
import { orderRows, type RowOrder } from './order';
import { placeByUniqueIds, placeChildren, type Placement } from './placeChildren';
import { correctClockSkew } from './skew';
import { SpanIdIndex } from './spanIdIndex';
import type { SpanWarning, Trace } from './trace';
import { Warnings } from './warnings';

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

/** Link the spans of one trace. */
export function linkTrace(input: readonly Span[], options: LinkOptions = {}): Trace {
  const steps = linkSteps(input, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same, a pass at a time: `pause` runs between passes (the extension host's event loop gets a
 * turn, so a 100,000-span trace never holds it for the whole link).
 */
export async function linkTraceInSteps(input: readonly Span[], options: LinkOptions, pause: () => Promise<void>): Promise<Trace> {
  const steps = linkSteps(input, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** A trace's id as its linked form names it: the longest spelling among its spans (128-bit over 64-bit). */
export function traceIdOfSpans(input: readonly Span[]): string {
  let traceId = input.length ? input[0].traceId : '';
  for (const s of input) if (s.traceId.length > traceId.length) traceId = s.traceId;
  return traceId;
}

function* linkSteps(input: readonly Span[], options: LinkOptions): Generator<void, Trace> {
  return yield* linkGroupSteps(input, options, traceIdOfSpans(input));
}

/** Link spans of one trace whose id (its longest spelling) the caller knows. */
function linkGroup(input: readonly Span[], options: LinkOptions, traceId: string): Trace {
  const steps = linkGroupSteps(input, options, traceId);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The passes of `linkGroup`, yielding between them. */
function* linkGroupSteps(input: readonly Span[], options: LinkOptions, traceId: string): Generator<void, Trace> {
  let facts = readOnce(input);
  yield;
  const fast = facts.anyShared ? null : SpanIdIndex.of(input);
  yield;
  let spans = input;
  let warn = new Warnings();
  if (!fast) {
    ({ spans, warnings: warn } = mergePieces(input));
    facts = readOnce(spans);
    yield;
  }

  let uid: string[];
  let placement: Placement;
  if (fast) {
    uid = spans.map((s) => s.spanId);
    placement = placeByUniqueIds(spans, fast, warn);
  } else {
    const index = indexSpans(spans, warn);
    uid = index.uid;
    yield;
    placement = placeChildren(spans, index, warn);
  }
  yield;
  const { parentOf, orphanCount } = placement;
  const tree = acyclicChildLists(spans, parentOf, warn);
  yield;
  const order = orderRows(tree, parentOf, facts.rawStart, facts.rawDuration, facts.earliest, warn);
  yield;
  return buildRows(spans, uid, parentOf, tree, order, warn, options, {
    traceId,
    rootCount: tree.roots.length,
    orphanCount,
    services: [...facts.services].sort(),
    errorCount: facts.errorCount,
  });
}

interface SpanFacts {
  /** Some span is a shared server half: its key differs from its id, so the general index is needed. */
  anyShared: boolean;
  rawStart: Float64Array;
  rawDuration: Float64Array;
  earliest: number;
  errorCount: number;
  services: Set<string>;
}

/**
 * One pass in source order over what the later passes need of each span: they then walk arrays in tree
 * order instead of chasing 100,000 span objects around memory (a cache miss each).
 */
function readOnce(spans: readonly Span[]): SpanFacts {
  const n = spans.length;
  const rawStart = new Float64Array(n);
  const rawDuration = new Float64Array(n);
  let earliest = Infinity;
  let errorCount = 0;
  const services = new Set<string>();
  let lastService = '';
  let anyShared = false;
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
  return { anyShared, rawStart, rawDuration, earliest: Number.isFinite(earliest) ? earliest : 0, errorCount, services };
}

type TraceTotals = Pick<Trace, 'traceId' | 'rootCount' | 'orphanCount' | 'services' | 'errorCount'>;

/** Pass 6: the row-ordered arrays of the Trace, subtree ends, optional skew correction, the time span. */
function buildRows(
  spans: readonly Span[],
  uid: readonly string[],
  parentOf: Int32Array,
  { childStart }: ChildLists,
  { start, duration, order, rowOf, depthOf }: RowOrder,
  warn: Warnings,
  options: LinkOptions,
  totals: TraceTotals,
): Trace {
  const n = spans.length;
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
    ...totals,
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
    levels,
    startUs,
    endUs,
  };
}
