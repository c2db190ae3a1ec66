/**
 * A linked trace: spans in waterfall (pre-order) row order with parallel arrays for the tree shape
 * and the effective times. Rows are plain indices so collapse, filter and search are linear scans and
 * the arrays cross to the webview compactly.
 */
import type { Span } from '../model';

/**
 * `merged`: one span made of several records (Zipkin pieces); `ambiguous`: a piece or child whose half
 * of a shared span id the data did not decide (no address, no kind, equal times), placed as before.
 */
export type WarningCode = 'orphan' | 'duplicate' | 'cycle' | 'skew' | 'missing-start' | 'missing-duration' | 'self-parent' | 'merged' | 'ambiguous';

export interface SpanWarning {
  readonly code: WarningCode;
  readonly message: string;
}

export interface Trace {
  readonly traceId: string;
  /** Spans in row order. */
  readonly spans: readonly Span[];
  /** A unique key per row: the span id, `id:shared` for a shared server half, `id~N` for the Nth duplicate. */
  readonly uid: readonly string[];
  /** Row of the parent, -1 for a root. */
  readonly parent: Int32Array;
  /** 0 for a root. */
  readonly depth: Int32Array;
  /** Row just past this row's subtree: rows (r, subtreeEnd[r]) are its descendants. */
  readonly subtreeEnd: Int32Array;
  readonly childCount: Int32Array;
  /** Effective start (repaired, skew-adjusted) and duration per row, in µs. */
  readonly start: Float64Array;
  readonly duration: Float64Array;
  /** How far clock-skew correction moved each row (0 = not moved). */
  readonly adjust: Float64Array;
  /** Repairs per row (sparse). */
  readonly warnings: ReadonlyMap<number, readonly SpanWarning[]>;
  readonly rootCount: number;
  readonly orphanCount: number;
  /** Number of levels: 1 for a lone root. */
  readonly levels: number;
  readonly startUs: number;
  readonly endUs: number;
  readonly services: readonly string[];
  readonly errorCount: number;
}

/** A trace with no rows yet: what a panel holds while its spans are being linked. */
export function emptyTrace(traceId: string): Trace {
  const none = new Int32Array(0);
  const times = new Float64Array(0);
  return { traceId, spans: [], uid: [], parent: none, depth: none, subtreeEnd: none, childCount: none, start: times, duration: times, adjust: times, warnings: new Map(), rootCount: 0, orphanCount: 0, levels: 0, startUs: 0, endUs: 0, services: [], errorCount: 0 };
}

/** The trace-level list of warnings, one line per repaired span. */
export function traceWarnings(trace: Trace): string[] {
  const out: string[] = [];
  for (const [row, list] of [...trace.warnings.entries()].sort((a, b) => a[0] - b[0])) {
    for (const w of list) out.push(`${trace.uid[row]}: ${w.message}`);
  }
  return out;
}

/** Children of a row, in row order. */
export function childRows(trace: Trace, row: number): number[] {
  const out: number[] = [];
  const end = trace.subtreeEnd[row];
  for (let r = row + 1; r < end; r = trace.subtreeEnd[r]) out.push(r);
  return out;
}
