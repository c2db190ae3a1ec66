/** A linked trace → the columnar payload the waterfall webview draws, and one span's details. */
import { attrText, type Attribute, type Span } from '../model';
import type { SpanDetails, WaterfallData } from '../protocol';
import { criticalRows } from './criticalPath';
import { sourceRefsOfSpan } from '../source/spanSources';
import { traceWarnings, type Trace } from './trace';

export function toWaterfallData(trace: Trace, source: string): WaterfallData {
  const n = trace.spans.length;
  const serviceIndex = new Map<string, number>();
  const services: string[] = [];
  const data: WaterfallData = {
    traceId: trace.traceId,
    title: '',
    source,
    startUs: trace.startUs,
    durationUs: trace.endUs - trace.startUs,
    services,
    rowCount: n,
    name: new Array(n),
    service: new Array(n),
    kind: new Array(n),
    depth: Array.from(trace.depth),
    parent: Array.from(trace.parent),
    subtreeEnd: Array.from(trace.subtreeEnd),
    start: new Array(n),
    duration: Array.from(trace.duration),
    error: new Array(n),
    warned: new Array(n).fill(0),
    adjust: Array.from(trace.adjust),
    critical: new Array(n).fill(0),
    spanId: new Array(n),
    marks: {},
    warnings: traceWarnings(trace),
    skewAdjusted: trace.adjust.some((a) => a !== 0),
  };
  for (let r = 0; r < n; r++) {
    const s = trace.spans[r];
    let si = serviceIndex.get(s.service);
    if (si === undefined) {
      si = services.length;
      services.push(s.service);
      serviceIndex.set(s.service, si);
    }
    data.name[r] = s.name;
    data.service[r] = si;
    data.kind[r] = s.kind;
    data.start[r] = trace.start[r] - trace.startUs;
    data.error[r] = s.status.code === 'error' ? 1 : 0;
    data.spanId[r] = trace.uid[r];
    if (s.events.length) data.marks[r] = s.events.filter((e) => Number.isFinite(e.timeUs)).map((e) => e.timeUs + trace.adjust[r] - trace.startUs);
  }
  for (const r of trace.warnings.keys()) data.warned[r] = 1;
  for (const r of criticalRows(trace)) data.critical[r] = 1;
  const root = n ? trace.spans[0] : undefined;
  data.title = root ? `${root.service || '?'}: ${root.name || '(unnamed)'}` : '(empty trace)';
  return data;
}

const pairs = (list: readonly Attribute[]): Array<[string, string]> => list.map((a) => [a.key, attrText(a.value)]);

export function spanDetails(trace: Trace, row: number): SpanDetails {
  const s: Span | undefined = trace.spans[row];
  if (!s) throw new Error(`no row ${row} in this trace (it has ${trace.spans.length})`);
  const rowOf = (spanId: string): number | null => {
    const r = trace.spans.findIndex((x) => x.spanId === spanId);
    return r >= 0 ? r : null;
  };
  return {
    row,
    spanId: s.spanId,
    parentId: s.parentId ?? null,
    traceId: s.traceId,
    name: s.name,
    service: s.service,
    kind: s.kind,
    startUs: trace.start[row],
    durationUs: trace.duration[row],
    status: s.status,
    attributes: pairs(s.attributes),
    resource: pairs(s.resource),
    scope: s.scope ? `${s.scope.name}${s.scope.version ? ` ${s.scope.version}` : ''}` : undefined,
    events: s.events.map((e) => ({ offsetUs: e.timeUs + trace.adjust[row] - trace.start[row], name: e.name, attributes: pairs(e.attributes) })),
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, row: l.traceId === s.traceId ? rowOf(l.spanId) : null })),
    warnings: (trace.warnings.get(row) ?? []).map((w) => w.message),
    sources: sourceRefsOfSpan(s),
  };
}
