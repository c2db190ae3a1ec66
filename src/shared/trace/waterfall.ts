/** One span's details, as the waterfall's details pane shows them (the rows cross in `waterfallRows`). */
import { attrText, type Attribute, type Span } from '../model';
import type { SpanDetails } from '../protocol';
import { sourceRefsOfSpan } from '../source/spanSources';
import { criticalPath } from './criticalPath';
import { selfTimeOf } from './selfTime';
import type { Trace } from './trace';

const pairs = (list: readonly Attribute[]): Array<[string, string]> => list.map((a) => [a.key, attrText(a.value)]);

/** Critical-path segments per row, computed once per linked trace (details are asked for one at a time). */
const criticalByTrace = new WeakMap<Trace, Map<number, number>>();

/** How much of the row's time lies on the trace's critical path, when any does. */
function criticalShare(trace: Trace, row: number): { criticalUs?: number } {
  let byRow = criticalByTrace.get(trace);
  if (!byRow) {
    byRow = new Map();
    for (const seg of criticalPath(trace)) byRow.set(seg.row, (byRow.get(seg.row) ?? 0) + seg.endUs - seg.startUs);
    criticalByTrace.set(trace, byRow);
  }
  const us = byRow.get(row);
  return us === undefined ? {} : { criticalUs: us };
}

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
    selfUs: selfTimeOf(trace, row),
    ...criticalShare(trace, row),
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
