/**
 * Which recent spans point at which file, for the lenses and hovers that lead from code back to
 * traces. Finding a span's locations reads its attributes and parses the stack traces of its events,
 * so each trace's findings are kept and, when the trace grows (spans of a trace keep arriving, and the
 * store only ever appends to a trace's list), only its new spans are read. A burst of new spans then
 * costs the spans of the burst, not every recent trace again.
 */
import type { Span } from '../model';
import { sourceRefsOfSpan, type SourceRef } from './spanSources';

export interface SpanAtLine {
  sourceId: string;
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  durationUs: number;
  error: boolean;
  ref: SourceRef & { line: number };
}

/** One trace to index: `key` is unique per endpoint and trace; `spans` only ever grows in place. */
export interface IndexedTrace {
  key: string;
  sourceId: string;
  spans: readonly Span[];
}

interface Found {
  spans: readonly Span[];
  /** How many of `spans` have been read. */
  readUpTo: number;
  /** [file name, span at line] for every located span read so far. */
  located: Array<[string, SpanAtLine]>;
}

/** The last segment of a path written with either separator (a span from Windows names `C:\x\y.cs`). */
export function fileNameOf(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? p : p.slice(i + 1);
}

export class SpanLocations {
  private found = new Map<string, Found>();
  /** Spans read so far, over the index's life: what "incremental" is measured by. */
  spansRead = 0;

  /**
   * The located spans of exactly these traces, by file name. Traces no longer given (evicted, or out of
   * the recent window) are forgotten; traces seen before are read only from where they were left.
   */
  byFileName(traces: Iterable<IndexedTrace>): Map<string, SpanAtLine[]> {
    const next = new Map<string, Found>();
    for (const t of traces) next.set(t.key, this.read(t));
    this.found = next;
    const map = new Map<string, SpanAtLine[]>();
    for (const f of next.values()) {
      for (const [name, s] of f.located) {
        const list = map.get(name);
        if (list) list.push(s);
        else map.set(name, [s]);
      }
    }
    return map;
  }

  private read(t: IndexedTrace): Found {
    let f = this.found.get(t.key);
    // Another list (the trace was evicted and came back) or a shorter one: start again.
    if (!f || f.spans !== t.spans || f.readUpTo > t.spans.length) f = { spans: t.spans, readUpTo: 0, located: [] };
    for (let i = f.readUpTo; i < t.spans.length; i++) {
      const s = t.spans[i];
      this.spansRead++;
      for (const ref of sourceRefsOfSpan(s)) {
        if (!ref.line) continue;
        f.located.push([
          fileNameOf(ref.path),
          { sourceId: t.sourceId, traceId: s.traceId, spanId: s.spanId, name: s.name, service: s.service, durationUs: s.durationUs, error: s.status.code === 'error', ref: { ...ref, line: ref.line } },
        ]);
      }
    }
    f.readUpTo = t.spans.length;
    return f;
  }
}
