/**
 * The critical path: the chain of work the trace's end waited on. Walk back from the end of a span;
 * the child that finished last (before the cursor) owns the time from its end to the cursor's, the
 * cursor jumps to that child's start, and so on; time no child covers belongs to the span itself.
 * (Jaeger UI's CriticalPath uses the same last-finishing-child rule.) Iterative, linear in spans plus
 * the sorting of each span's children.
 */
import type { Trace } from './trace';

export interface CriticalSegment {
  readonly row: number;
  readonly startUs: number;
  readonly endUs: number;
}

/** How far a child may seem to overlap the next one and still count as before it (clock rounding). */
const CLOCK_SLACK_US = 1000;

export function criticalPath(trace: Trace): CriticalSegment[] {
  const n = trace.spans.length;
  if (n === 0) return [];
  const end = (r: number): number => trace.start[r] + trace.duration[r];
  // The root that ends last decides the trace's end.
  let root = -1;
  for (let r = 0; r < n; r = trace.subtreeEnd[r]) if (root < 0 || end(r) > end(root)) root = r;

  const segments: CriticalSegment[] = [];
  const work: Array<{ row: number; cutoff: number }> = [{ row: root, cutoff: end(root) }];
  while (work.length) {
    const { row, cutoff } = work.pop()!;
    const rowStart = trace.start[row];
    let cursor = Math.min(end(row), cutoff);
    const kids: number[] = [];
    for (let c = row + 1; c < trace.subtreeEnd[row]; c = trace.subtreeEnd[c]) kids.push(c);
    // Latest (clamped) end first.
    kids.sort((a, b) => Math.min(end(b), end(row)) - Math.min(end(a), end(row)));
    let first = true;
    for (const c of kids) {
      const cEnd = Math.min(end(c), end(row));
      const cStart = Math.max(trace.start[c], rowStart);
      if (cStart >= cursor) continue;
      // A child that overlaps the chosen one ran beside it: not what we waited on. Except by a hair:
      // OpenTelemetry JS records starts to the millisecond and ends to the microsecond, so of two calls
      // made one after the other the first can seem to end up to 1 ms after the second began.
      if (!first && cEnd > cursor + Math.min(CLOCK_SLACK_US, 0.1 * trace.duration[c])) continue;
      first = false;
      const stop = Math.min(cEnd, cursor);
      if (stop < cursor) segments.push({ row, startUs: stop, endUs: cursor });
      work.push({ row: c, cutoff: stop });
      cursor = cStart;
      if (cursor <= rowStart) break;
    }
    if (cursor > rowStart) segments.push({ row, startUs: rowStart, endUs: cursor });
  }
  return segments.sort((a, b) => a.startUs - b.startUs);
}

/** Rows that have any part on the critical path. */
export function criticalRows(trace: Trace): Set<number> {
  return new Set(criticalPath(trace).map((s) => s.row));
}
