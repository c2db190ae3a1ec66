/**
 * Self time: the part of a span's duration that none of its children covers (Jaeger's "self time").
 * Children are clipped to their parent's interval and overlapping children count once, so a span's
 * self time is never negative and never more than its duration, and async children that outlive their
 * parent take nothing from it beyond its end.
 */
import type { Trace } from './trace';

export function selfTimes(trace: Trace): Float64Array {
  const n = trace.spans.length;
  const self = new Float64Array(n);
  const starts: number[] = [];
  const ends: number[] = [];
  const order: number[] = [];
  for (let r = 0; r < n; r++) {
    const from = trace.start[r];
    const to = from + trace.duration[r];
    starts.length = 0;
    ends.length = 0;
    for (let c = r + 1; c < trace.subtreeEnd[r]; c = trace.subtreeEnd[c]) {
      const s = Math.max(from, trace.start[c]);
      const e = Math.min(to, trace.start[c] + trace.duration[c]);
      if (e > s) {
        starts.push(s);
        ends.push(e);
      }
    }
    let covered = 0;
    if (starts.length) {
      order.length = 0;
      for (let i = 0; i < starts.length; i++) order.push(i);
      order.sort((a, b) => starts[a] - starts[b]);
      let runStart = starts[order[0]];
      let runEnd = ends[order[0]];
      for (let k = 1; k < order.length; k++) {
        const i = order[k];
        if (starts[i] > runEnd) {
          covered += runEnd - runStart;
          runStart = starts[i];
          runEnd = ends[i];
        } else if (ends[i] > runEnd) runEnd = ends[i];
      }
      covered += runEnd - runStart;
    }
    self[r] = Math.max(0, trace.duration[r] - covered);
  }
  return self;
}
