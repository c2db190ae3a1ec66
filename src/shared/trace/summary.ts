/** The JSON summary of linked traces that `trace-explorer summary --json` and `get --json` print. */
import type { SpanKind, TraceFormat } from '../model';
import { traceWarnings, type Trace } from './trace';

export interface SpanSummary {
  spanId: string;
  parentId: string | null;
  name: string;
  service: string;
  kind: SpanKind;
  startUs: number;
  durationUs: number;
  depth: number;
  adjustedUs: number;
}

export interface TraceSummary {
  traceId: string;
  spanCount: number;
  rootCount: number;
  orphanCount: number;
  depth: number;
  services: string[];
  startUs: number;
  durationUs: number;
  errorCount: number;
  warnings: string[];
  spans: SpanSummary[];
}

export interface SummaryDocument {
  format: TraceFormat | string;
  traces: TraceSummary[];
}

export function summarizeTrace(trace: Trace): TraceSummary {
  const spans: SpanSummary[] = trace.spans.map((s, r) => ({
    spanId: s.spanId,
    parentId: trace.parent[r] >= 0 ? trace.spans[trace.parent[r]].spanId : null,
    name: s.name,
    service: s.service,
    kind: s.kind,
    startUs: trace.start[r],
    durationUs: trace.duration[r],
    depth: trace.depth[r],
    adjustedUs: trace.adjust[r],
  }));
  return {
    traceId: trace.traceId,
    spanCount: trace.spans.length,
    rootCount: trace.rootCount,
    orphanCount: trace.orphanCount,
    depth: trace.levels,
    services: [...trace.services],
    startUs: trace.startUs,
    durationUs: trace.endUs - trace.startUs,
    errorCount: trace.errorCount,
    warnings: traceWarnings(trace),
    spans,
  };
}
