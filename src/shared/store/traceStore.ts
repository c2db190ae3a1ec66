/**
 * The built-in local endpoint's memory: spans grouped by trace, bounded by a span budget (the oldest
 * traces — by when they were last written — are evicted first, and the eviction count is kept so the
 * UI can say so). Pure: the receiver and the tree view sit on top of it.
 *
 * A trace may arrive still encoded (the receiver's OTLP protobuf, checked on arrival): it is kept as
 * bytes and decoded the first time anything reads it, so a burst of spans nobody looks at costs no
 * decoding, and its memory is that of the bytes, not of decoded objects.
 */
import { normalizeTraceId, traceIdKey } from '../ids';
import { attr, attrText, type Span } from '../model';

export interface TraceSummaryRow {
  traceId: string;
  rootService: string;
  rootName: string;
  startUs: number;
  durationUs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
  /** When the store last received a span of this trace (ms since epoch, the store's clock). */
  updatedMs: number;
  /** Fields the backend did not give (their value here is 0 or ''): shown as unknown, left out of JSON. */
  missing?: Array<'durationUs' | 'spanCount' | 'errorCount' | 'rootService' | 'rootName'>;
}

export interface TraceQuery {
  service?: string;
  spanName?: string;
  minDurationUs?: number;
  maxDurationUs?: number;
  /** Attributes (span or resource) some span of the trace must have; an empty value matches any value. */
  tags?: Record<string, string>;
  /** Only traces that started at or after this time (µs since epoch). */
  sinceUs?: number;
  limit?: number;
}

/** Spans of one trace, kept encoded until read. `decode` must succeed: the bytes were checked on arrival. */
export interface EncodedSpans {
  readonly traceId: string;
  readonly spanCount: number;
  decode(): Span[];
  /** The checked OTLP protobuf, for whoever keeps a copy (the store on disk). */
  readonly bytes?: Uint8Array;
}

/** What was written to the store, as it came: for a persistence layer listening beside the views. */
export type StoreWrite = { kind: 'spans'; spans: readonly Span[] } | { kind: 'encoded'; parts: readonly EncodedSpans[] };

interface Entry {
  traceId: string;
  spans: Span[];
  /** Parts not decoded yet; they come after `spans` in arrival order. */
  encoded: EncodedSpans[] | undefined;
  /** `spans.length` plus the span counts of `encoded`. */
  count: number;
  updatedMs: number;
  /**
   * The list row of a trace still encoded, known without decoding it (kept on disk beside the log):
   * listing traces after a reload then decodes none of them. Dropped when the trace changes.
   */
  summary?: TraceSummaryRow;
}

export interface StoreStats {
  traces: number;
  spans: number;
  evictedTraces: number;
  maxSpans: number;
  /** Spans whose bytes were accepted but then failed to decode: a bug, which must not pass silently. */
  undecodable: number;
  lastDecodeError?: string;
}

export class TraceStore {
  /** Insertion order of a Map = least recently written first, which is the eviction order. */
  private readonly traces = new Map<string, Entry>();
  private spanCount = 0;
  private evicted = 0;
  private undecodable = 0;
  private lastDecodeError?: string;
  private readonly listeners = new Set<(traceIds: string[]) => void>();
  private readonly writeListeners = new Set<(write: StoreWrite) => void>();

  constructor(
    private maxSpans = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  setMaxSpans(max: number): void {
    this.maxSpans = Math.max(1, max);
    this.evict();
  }

  /** Add spans; returns the ids of the traces they belong to. Listeners hear about it once per call. */
  add(spans: readonly Span[]): string[] {
    for (const l of this.writeListeners) l({ kind: 'spans', spans });
    const touched = new Set<string>();
    const t = this.now();
    let lastId: string | undefined;
    let e: Entry | undefined;
    for (const s of spans) {
      // Spans of one trace usually come together: look the entry up once per run, not once per span.
      if (s.traceId !== lastId || !e) {
        e = this.touch(s.traceId, t);
        this.decodeEncoded(e);
        lastId = s.traceId;
      }
      e.spans.push(s);
      e.count++;
      this.spanCount++;
      if (s.traceId.length > e.traceId.length) e.traceId = s.traceId;
      touched.add(e.traceId);
    }
    return this.finishAdd(touched);
  }

  /** Add traces still encoded; they are decoded when first read. Returns their ids, like `add`. */
  addEncoded(parts: readonly EncodedSpans[]): string[] {
    for (const l of this.writeListeners) l({ kind: 'encoded', parts });
    const touched = new Set<string>();
    const t = this.now();
    for (const part of parts) {
      if (part.spanCount === 0) continue;
      const e = this.touch(part.traceId, t);
      (e.encoded ??= []).push(part);
      e.count += part.spanCount;
      this.spanCount += part.spanCount;
      if (part.traceId.length > e.traceId.length) e.traceId = part.traceId;
      touched.add(e.traceId);
    }
    return this.finishAdd(touched);
  }

  /** The entry of a trace, created if new, moved to the most recently written end. */
  private touch(traceId: string, t: number): Entry {
    const key = traceIdKey(traceId);
    let e = this.traces.get(key);
    if (e) this.traces.delete(key); // re-insert: now the most recently written
    else e = { traceId, spans: [], encoded: undefined, count: 0, updatedMs: t };
    e.updatedMs = t;
    e.summary = undefined; // the trace changes: its summary no longer holds
    this.traces.set(key, e);
    return e;
  }

  private finishAdd(touched: Set<string>): string[] {
    this.evict();
    const ids = [...touched].filter((id) => this.traces.has(traceIdKey(id)));
    if (ids.length) for (const l of this.listeners) l(ids);
    return ids;
  }

  /** Decode what an entry still holds encoded, once; afterwards it is plain spans. */
  private decodeEncoded(e: Entry): Entry {
    const parts = e.encoded;
    if (!parts) return e;
    e.encoded = undefined;
    for (const part of parts) {
      let spans: Span[];
      try {
        spans = part.decode();
      } catch (err) {
        // Checked on arrival, so this is a bug; count it where the UI shows the store's state.
        spans = [];
        this.undecodable += part.spanCount;
        this.lastDecodeError = err instanceof Error ? err.message : String(err);
      }
      for (const s of spans) e.spans.push(s);
      e.count += spans.length - part.spanCount;
      this.spanCount += spans.length - part.spanCount;
    }
    return e;
  }

  private evict(): void {
    for (const [key, e] of this.traces) {
      if (this.spanCount <= this.maxSpans || this.traces.size <= 1) break;
      this.traces.delete(key);
      this.spanCount -= e.count;
      this.evicted++;
    }
  }

  /** The spans of a trace, by any spelling of its id (case, padding, 64/128-bit forms). */
  get(traceId: string): readonly Span[] | undefined {
    const id = normalizeTraceId(traceId);
    const e = id ? this.traces.get(traceIdKey(id)) : undefined;
    return e ? this.decodeEncoded(e).spans : undefined;
  }

  /** Whether a trace is held and still encoded (reading it decodes it: about a second at 100,000 spans). */
  isEncoded(traceId: string): boolean {
    const id = normalizeTraceId(traceId);
    return !!(id && this.traces.get(traceIdKey(id))?.encoded);
  }

  /** Newest first. */
  list(q: TraceQuery = {}): TraceSummaryRow[] {
    const out: TraceSummaryRow[] = [];
    const entries = [...this.traces.values()].reverse();
    for (const e of entries) {
      // A summary kept from before a reload answers without decoding; span names and tags need the spans.
      const row = { ...this.rowOf(e), updatedMs: e.updatedMs };
      if (q.service && !row.services.includes(q.service)) continue;
      if (q.minDurationUs !== undefined && row.durationUs < q.minDurationUs) continue;
      if (q.maxDurationUs !== undefined && row.durationUs > q.maxDurationUs) continue;
      if (q.sinceUs !== undefined && row.startUs < q.sinceUs) continue;
      if (q.spanName && !this.decodeEncoded(e).spans.some((s) => s.name === q.spanName)) continue;
      if (q.tags && !matchesTags(this.decodeEncoded(e).spans, q.tags)) continue;
      out.push(row);
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  /** A trace's list row: kept until the trace changes, so a list (and the rows kept on disk) redoes only changed traces. */
  private rowOf(e: Entry): TraceSummaryRow {
    if (e.encoded && e.summary) return e.summary;
    return (e.summary = summarize(this.decodeEncoded(e)));
  }

  /** Every trace's list row, for keeping beside the log: known for decoded traces, kept for those still encoded, left out when neither is known. */
  summaries(): TraceSummaryRow[] {
    const out: TraceSummaryRow[] = [];
    for (const e of this.traces.values()) {
      if (e.summary) out.push(e.summary);
      else if (!e.encoded) out.push((e.summary = summarize(e)));
    }
    return out;
  }

  /**
   * A kept list row for a trace still encoded, used when it was made from exactly the parts the trace
   * now holds (the same number, the same span count); otherwise ignored, and the trace is decoded to list it.
   */
  useSummary(row: TraceSummaryRow, parts: number): boolean {
    const id = normalizeTraceId(row.traceId);
    const e = id ? this.traces.get(traceIdKey(id)) : undefined;
    if (!e?.encoded || e.spans.length || e.encoded.length !== parts || e.count !== row.spanCount) return false;
    e.summary = row;
    return true;
  }

  services(): string[] {
    const set = new Set<string>();
    for (const e of this.decoded()) for (const s of e.spans) if (s.service) set.add(s.service);
    return [...set].sort();
  }

  spanNames(service: string): string[] {
    const set = new Set<string>();
    for (const e of this.decoded()) for (const s of e.spans) if (s.service === service && s.name) set.add(s.name);
    return [...set].sort();
  }

  /** Attribute keys seen on spans and resources, for filter suggestions. */
  tagNames(): string[] {
    const set = new Set<string>();
    for (const e of this.decoded()) {
      for (const s of e.spans) {
        for (const a of s.attributes) set.add(a.key);
        for (const a of s.resource) set.add(a.key);
      }
    }
    return [...set].sort();
  }

  /** Every entry, decoded: for questions about all spans (services, names, tags). */
  private *decoded(): Iterable<Entry> {
    for (const e of this.traces.values()) yield this.decodeEncoded(e);
  }

  stats(): StoreStats {
    const stats: StoreStats = { traces: this.traces.size, spans: this.spanCount, evictedTraces: this.evicted, maxSpans: this.maxSpans, undecodable: this.undecodable };
    if (this.lastDecodeError) stats.lastDecodeError = this.lastDecodeError;
    return stats;
  }

  clear(): void {
    this.traces.clear();
    this.spanCount = 0;
  }

  /** Every write, before it is applied (spans as given, encoded parts with their bytes). */
  onWrite(listener: (write: StoreWrite) => void): { dispose(): void } {
    this.writeListeners.add(listener);
    return { dispose: () => this.writeListeners.delete(listener) };
  }

  onDidAdd(listener: (traceIds: string[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

function matchesTags(spans: readonly Span[], tags: Record<string, string>): boolean {
  return Object.entries(tags).every(([k, v]) =>
    spans.some((s) => {
      const value = attr(s.attributes, k) ?? attr(s.resource, k);
      return value !== undefined && (v === '' || attrText(value) === v);
    }),
  );
}

/** A list row for a trace without linking it: the root is the earliest span without a parent in the trace. */
export function summarize(e: { traceId: string; spans: readonly Span[]; updatedMs: number }): TraceSummaryRow {
  const ids = new Set(e.spans.map((s) => s.spanId));
  let root: Span | undefined;
  let start = Infinity;
  let end = -Infinity;
  let errors = 0;
  const services = new Set<string>();
  for (const s of e.spans) {
    if (Number.isFinite(s.startUs)) {
      start = Math.min(start, s.startUs);
      end = Math.max(end, s.startUs + (Number.isFinite(s.durationUs) ? s.durationUs : 0));
    }
    if (s.status.code === 'error') errors++;
    if (s.service) services.add(s.service);
    const isRoot = !s.parentId || !ids.has(s.parentId);
    if (isRoot && (!root || !!root.parentId > !!s.parentId || (s.startUs < root.startUs && !!root.parentId === !!s.parentId))) root = s;
  }
  return {
    traceId: e.traceId,
    rootService: root?.service ?? '',
    rootName: root?.name ?? '',
    startUs: Number.isFinite(start) ? start : 0,
    durationUs: Number.isFinite(end) ? end - start : 0,
    spanCount: e.spans.length,
    errorCount: errors,
    services: [...services].sort(),
    updatedMs: e.updatedMs,
  };
}
