/**
 * The local store kept on disk: every write to the in-memory TraceStore is appended to the TraceLog
 * (checked OTLP protobuf as it came, any other spans as model JSON, one record per trace), and opening
 * reads the newest records back into the store. Shared by the extension (in its global storage, which
 * every window shares) and `trace-explorer serve --store DIR`.
 */
import { traceIdKey } from '../../shared/ids';
import { decodeOtlpProto } from '../../shared/formats/otlpProto';
import type { Span } from '../../shared/model';
import type { StoreWrite, TraceStore, TraceSummaryRow } from '../../shared/store/traceStore';
import { TraceLog, type LogRecord, type LogStats, type TraceLogOptions } from './traceLog';
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Beside the log: each trace's list row and the number of records it was made from, so that listing
 * the traces after a reload decodes none of them (a 100,000-span trace takes about a second to decode,
 * and the Traces view lists as the window opens). A row whose record count no longer matches (a crash
 * before it was written, records dropped by retention) is not used.
 */
const SUMMARIES = 'summaries.json';
/** Soon after writes stop: a window may be reloaded seconds after a trace arrived. Only changed traces are summarized again. */
const SUMMARY_DELAY_MS = 1000;

interface SummaryFile {
  version: 1;
  traces: Array<{ row: TraceSummaryRow; records: number }>;
}

/** What a process waiting for the writer's lock keeps in memory to write once it has it. */
const MAX_HELD_BYTES = 64 * 1024 * 1024;

export interface PersistenceStats extends LogStats {
  dir: string;
  loadedTraces: number;
  /** Traces read back whose list row was kept, so listing them decodes nothing. */
  keptRows: number;
  tornBytes: number;
  corruptBytes: number;
}

/** Spans as JSON, exactly: NaN (a time the source did not give) and ±Infinity survive the round trip. */
export function spansToJson(spans: readonly Span[]): Uint8Array {
  return Buffer.from(JSON.stringify(spans, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v)), 'utf8');
}

export function spansFromJson(data: Uint8Array): Span[] {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // A reviver makes JSON.parse several times slower; only records holding such a number need one.
  if (!buffer.includes('"$num"')) return JSON.parse(buffer.toString('utf8')) as Span[];
  return JSON.parse(buffer.toString('utf8'), (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $num?: unknown }).$num === 'string' ? Number((v as { $num: string }).$num) : v,
  ) as Span[];
}

function recordsOf(write: StoreWrite, timeMs: number): LogRecord[] {
  if (write.kind === 'encoded') {
    return write.parts.flatMap((p): LogRecord[] => {
      if (!p.spanCount) return [];
      // Checked protobuf is kept as it came; a part without its bytes is kept as the spans it decodes to.
      if (p.bytes) return [{ kind: 'otlp-proto', timeMs, traceId: p.traceId, spanCount: p.spanCount, data: p.bytes }];
      return [{ kind: 'model-json', timeMs, traceId: p.traceId, spanCount: p.spanCount, data: spansToJson(p.decode()) }];
    });
  }
  const byTrace = new Map<string, Span[]>();
  for (const s of write.spans) {
    const key = traceIdKey(s.traceId);
    const list = byTrace.get(key);
    if (list) list.push(s);
    else byTrace.set(key, [s]);
  }
  return [...byTrace.values()].map((spans) => ({ kind: 'model-json' as const, timeMs, traceId: spans[0].traceId, spanCount: spans.length, data: spansToJson(spans) }));
}

export class PersistentStore {
  private readonly log: TraceLog;
  private subscription: { dispose(): void } | undefined;
  private loaded = { traces: 0, tornBytes: 0, corruptBytes: 0 };
  private keptRows = 0;

  constructor(
    private readonly store: TraceStore,
    readonly dir: string,
    options: TraceLogOptions & { onError?: (e: Error) => void } = {},
  ) {
    this.log = new TraceLog(dir, options);
    this.onError = options.onError;
  }

  private readonly onError?: (e: Error) => void;

  /** Read the newest records into the store, then keep every later write. Returns whether this process writes. */
  open(): boolean {
    const opened = this.log.open(this.store.stats().maxSpans);
    // Records are decoded when their trace is first asked for, not here: a window starts as fast with
    // a 100,000-span trace in its store as with an empty one.
    for (const r of opened.records) {
      if (r.kind === 'otlp-proto') this.store.addEncoded([{ traceId: r.traceId, spanCount: r.spanCount, bytes: r.data, decode: () => decodeOtlpProto(r.data) }]);
      else this.store.addEncoded([{ traceId: r.traceId, spanCount: r.spanCount, decode: () => spansFromJson(r.data) }]);
    }
    for (const r of opened.records) this.countRecord(r.traceId);
    this.readSummaries();
    this.loaded = { traces: this.store.stats().traces, tornBytes: opened.tornBytes, corruptBytes: opened.corruptBytes };
    // Subscribed after loading: what was read back is not written again.
    this.subscription = this.store.onWrite((w) => {
      try {
        const records = recordsOf(w, Date.now());
        if (this.log.isWriter) {
          this.log.append(records);
          for (const r of records) this.countRecord(r.traceId);
          this.scheduleSummaries();
        } else this.hold(records);
      } catch (e) {
        // A full disk must not lose what is in memory or break the receiver: say so, keep serving.
        this.onError?.(e as Error);
      }
    });
    return opened.writer;
  }

  /** Records on disk per trace: what a kept list row must have been made from to be used. */
  private readonly records = new Map<string, number>();
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;

  private countRecord(traceId: string): void {
    const key = traceIdKey(traceId);
    this.records.set(key, (this.records.get(key) ?? 0) + 1);
  }

  private readSummaries(): void {
    let file: SummaryFile;
    try {
      file = JSON.parse(readFileSync(join(this.dir, SUMMARIES), 'utf8')) as SummaryFile;
    } catch {
      return; // none yet, or unreadable: traces are decoded to be listed, as before
    }
    if (file?.version !== 1 || !Array.isArray(file.traces)) return;
    for (const t of file.traces) {
      if (typeof t?.row?.traceId !== 'string' || typeof t.records !== 'number') continue;
      if (this.records.get(traceIdKey(t.row.traceId)) === t.records && this.store.useSummary(t.row, t.records)) this.keptRows++;
    }
  }

  private scheduleSummaries(): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.writeSummaries();
    }, SUMMARY_DELAY_MS);
    this.summaryTimer.unref?.();
  }

  /** Written whole to a temporary file and renamed, so a reader never sees half of it. */
  writeSummaries(): void {
    if (!this.log.isWriter) return;
    try {
      const traces = this.store.summaries().flatMap((row) => {
        const records = this.records.get(traceIdKey(row.traceId));
        return records ? [{ row, records }] : [];
      });
      const tmp = join(this.dir, `${SUMMARIES}.tmp`);
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, JSON.stringify({ version: 1, traces } satisfies SummaryFile));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(this.dir, SUMMARIES));
    } catch (e) {
      this.onError?.(e as Error);
    }
  }

  /**
   * Writes that came while another process still held the lock (a previous owner that is ending): kept
   * here, bounded, and written once this process takes the lock over, so a take-over loses nothing.
   */
  private held: LogRecord[] = [];
  private heldBytes = 0;

  private hold(records: LogRecord[]): void {
    for (const r of records) {
      if (this.heldBytes + r.data.length > MAX_HELD_BYTES) return;
      this.held.push(r);
      this.heldBytes += r.data.length;
    }
  }

  /** Take over writing when the lock was held at open and is free now; what was held is written first. */
  tryBecomeWriter(): boolean {
    if (!this.log.tryBecomeWriter()) return false;
    if (this.held.length) {
      this.log.append(this.held);
      for (const r of this.held) this.countRecord(r.traceId);
      this.scheduleSummaries();
      this.held = [];
      this.heldBytes = 0;
    }
    return true;
  }

  get writer(): boolean {
    return this.log.isWriter;
  }

  clear(): void {
    this.store.clear();
    this.log.clear();
    this.records.clear();
    this.writeSummaries();
  }

  stats(): PersistenceStats {
    return { ...this.log.stats(), dir: this.dir, loadedTraces: this.loaded.traces, keptRows: this.keptRows, tornBytes: this.loaded.tornBytes, corruptBytes: this.loaded.corruptBytes };
  }

  close(): void {
    this.subscription?.dispose();
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    this.writeSummaries();
    this.log.close();
  }
}
