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
  /** The server half of a B3 shared span id (its row follows its client half's). */
  shared?: true;
  /** This span's repairs, when it has any (merged pieces, placements the data did not decide, …). */
  warnings?: string[];
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
  const spans: SpanSummary[] = trace.spans.map((s, r) => {
    const row: SpanSummary = {
      spanId: s.spanId,
      parentId: trace.parent[r] >= 0 ? trace.spans[trace.parent[r]].spanId : null,
      name: s.name,
      service: s.service,
      kind: s.kind,
      startUs: trace.start[r],
      durationUs: trace.duration[r],
      depth: trace.depth[r],
      adjustedUs: trace.adjust[r],
    };
    if (s.shared) row.shared = true;
    const warnings = trace.warnings.get(r);
    if (warnings) row.warnings = warnings.map((w) => w.message);
    return row;
  });
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
