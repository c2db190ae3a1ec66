/**
 * What the comparison webview is sent: the merged tree's nodes and a compact overview of each side's
 * rows (typed arrays), and the spans of one node on request. Built here so the extension and the test
 * page send exactly the same thing.
 */
import type { CompareNodeView, CompareSideView, CompareSpanRef, ToCompareWebview } from '../compareProtocol';
import { shortPath, sourceRefsOfSpan } from '../source/spanSources';
import type { Comparison } from './compare';
import type { Trace } from './trace';

/** One side as the views need it: its linked trace and where it came from. */
export interface CompareSideData {
  trace: Trace;
  sourceLabel: string;
}

function sideView(c: Comparison, s: CompareSideData, which: 'A' | 'B'): CompareSideView {
  const t = s.trace;
  const n = t.spans.length;
  const start = new Float64Array(n);
  for (let r = 0; r < n; r++) start[r] = t.start[r] - t.startUs;
  const node = new Int32Array(n);
  c.nodes.forEach((x, i) => {
    for (const r of which === 'A' ? x.rowsA : x.rowsB) node[r] = i;
  });
  return {
    label: `${which} · ${s.sourceLabel}`,
    traceId: t.traceId,
    spanCount: n,
    durationUs: n ? t.endUs - t.startUs : 0,
    start,
    duration: Float64Array.from(t.duration),
    node,
    error: Uint8Array.from(t.spans, (sp) => (sp.status.code === 'error' ? 1 : 0)),
  };
}

export function compareMessage(c: Comparison, a: CompareSideData, b: CompareSideData): Extract<ToCompareWebview, { type: 'compare' }> {
  const nodes: CompareNodeView[] = c.nodes.map(({ path, rowsA: _rowsA, rowsB: _rowsB, ...numbers }) => ({ ...numbers, label: path[path.length - 1] }));
  return { type: 'compare', a: sideView(c, a, 'A'), b: sideView(c, b, 'B'), nodes };
}

/** The spans behind node `node` on both sides, for the span list. */
export function nodeSpans(c: Comparison, node: number, a: CompareSideData, b: CompareSideData): { a: CompareSpanRef[]; b: CompareSpanRef[] } {
  const n = c.nodes[node];
  if (!n) throw new Error('that operation is no longer in the comparison');
  return { a: n.rowsA.map((row) => spanRef(a, c.selfA, row)), b: n.rowsB.map((row) => spanRef(b, c.selfB, row)) };
}

function spanRef(s: CompareSideData, self: Float64Array, row: number): CompareSpanRef {
  const span = s.trace.spans[row];
  const ref = sourceRefsOfSpan(span)[0];
  return {
    row,
    spanId: span.spanId,
    name: span.name,
    service: span.service,
    durationUs: s.trace.duration[row],
    selfUs: self[row],
    error: span.status.code === 'error',
    ...(ref ? { source: `${shortPath(ref.path)}${ref.line ? `:${ref.line}` : ''}` } : {}),
  };
}
