/**
 * Self time: the part of a span's duration that none of its children covers (Jaeger's "self time").
 * Children are clipped to their parent's interval and overlapping children count once, so a span's
 * self time is never negative and never more than its duration, and async children that outlive their
 * parent take nothing from it beyond its end.
 */
import type { Trace } from './trace';

/** Self time of one row: linear in its children (plus sorting them). */
export function selfTimeOf(trace: Trace, r: number): number {
  const from = trace.start[r];
  const to = from + trace.duration[r];
  const spans: Array<[number, number]> = [];
  for (let c = r + 1; c < trace.subtreeEnd[r]; c = trace.subtreeEnd[c]) {
    const s = Math.max(from, trace.start[c]);
    const e = Math.min(to, trace.start[c] + trace.duration[c]);
    if (e > s) spans.push([s, e]);
  }
  let covered = 0;
  if (spans.length) {
    spans.sort((x, y) => x[0] - y[0]);
    let [runStart, runEnd] = spans[0];
    for (let k = 1; k < spans.length; k++) {
      const [s, e] = spans[k];
      if (s > runEnd) {
        covered += runEnd - runStart;
        runStart = s;
        runEnd = e;
      } else if (e > runEnd) runEnd = e;
    }
    covered += runEnd - runStart;
  }
  return Math.max(0, trace.duration[r] - covered);
}

export function selfTimes(trace: Trace): Float64Array {
  const self = new Float64Array(trace.spans.length);
  for (let r = 0; r < self.length; r++) self[r] = selfTimeOf(trace, r);
  return self;
}
