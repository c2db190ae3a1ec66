/**
 * The webview's half of the waterfall's transfer: a header, then chunks of rows in any order, into
 * whole-trace columns. Rows not arrived yet read as placeholders (`has(r)` is false); chunks of
 * another load, repeated chunks and chunks that do not fit the header are dropped, never half-applied.
 * Pure (no DOM), so the rules are tested in Node.
 */
import { KIND_CODES, ROW_CRITICAL, ROW_ERROR, ROW_WARNED, type RowChunk, type WaterfallHeader } from '../protocol';
import type { SpanKind } from '../model';

const utf8 = new TextDecoder();

export type ChunkVerdict = 'applied' | 'other-load' | 'repeated' | 'invalid';

export class TraceRows {
  readonly traceId: string;
  readonly title: string;
  readonly source: string;
  readonly startUs: number;
  readonly durationUs: number;
  readonly services: readonly string[];
  readonly rowCount: number;
  readonly warningCount: number;
  readonly warnings: readonly string[];
  readonly skewAdjusted: boolean;
  readonly reloadable: boolean;
  readonly incomplete: string | undefined;
  readonly sourceId: string | undefined;
  readonly loadId: number;

  readonly depth: Int32Array;
  readonly parent: Int32Array;
  readonly subtreeEnd: Int32Array;
  readonly start: Float64Array;
  readonly duration: Float64Array;
  readonly adjust: Float64Array;
  readonly service: Uint32Array;
  readonly flags: Uint8Array;
  readonly name: string[];
  readonly marks = new Map<number, Float64Array>();
  /** Per row: 1 once its chunk has arrived. */
  private readonly arrived: Uint8Array;
  private readonly idChunks: RowChunk[] = [];
  private chunksIn = 0;
  private rowsIn = 0;

  constructor(readonly header: WaterfallHeader) {
    const n = Math.max(0, Math.floor(header.rowCount));
    this.traceId = header.traceId;
    this.title = header.title;
    this.source = header.source;
    this.startUs = header.startUs;
    this.durationUs = header.durationUs;
    this.services = header.services;
    this.rowCount = n;
    this.warningCount = header.warningCount;
    this.warnings = header.warnings;
    this.skewAdjusted = header.skewAdjusted;
    this.reloadable = !!header.reloadable;
    this.incomplete = header.incomplete;
    this.sourceId = header.sourceId;
    this.loadId = header.loadId;
    this.depth = new Int32Array(n);
    this.parent = new Int32Array(n).fill(-1);
    this.subtreeEnd = new Int32Array(n);
    for (let r = 0; r < n; r++) this.subtreeEnd[r] = r + 1; // a row not arrived is a leaf until it does
    this.start = new Float64Array(n);
    this.duration = new Float64Array(n);
    this.adjust = new Float64Array(n);
    this.service = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.name = new Array<string>(n).fill('');
    this.arrived = new Uint8Array(n);
  }

  /** Every row has arrived: search results, collapse, the minimap and sibling counts are whole. */
  get complete(): boolean {
    return this.rowsIn === this.rowCount;
  }

  get arrivedRows(): number {
    return this.rowsIn;
  }

  get arrivedChunks(): number {
    return this.chunksIn;
  }

  has(r: number): boolean {
    return this.arrived[r] === 1;
  }

  apply(c: RowChunk): ChunkVerdict {
    if (c.loadId !== this.loadId) return 'other-load';
    const count = c.to - c.from;
    if (!(Number.isInteger(c.from) && Number.isInteger(c.to) && c.from >= 0 && c.to <= this.rowCount && count > 0)) return 'invalid';
    const columns = [c.depth, c.parent, c.subtreeEnd, c.start, c.duration, c.adjust, c.service, c.flags, c.nameIndex, c.idEnd, c.markEnd];
    if (columns.some((a) => a?.length !== count)) return 'invalid';
    if (c.idEnd[count - 1] !== c.ids.length || c.markEnd[count - 1] !== c.markTimes.length) return 'invalid';
    for (let i = 0; i < count; i++) if (c.nameIndex[i] >= c.names.length) return 'invalid';
    let fresh = 0;
    for (let r = c.from; r < c.to; r++) if (!this.arrived[r]) fresh++;
    if (fresh === 0) return 'repeated';
    if (fresh !== count) return 'invalid'; // overlaps a chunk already applied: the host never sends that
    this.depth.set(c.depth, c.from);
    this.parent.set(c.parent, c.from);
    this.subtreeEnd.set(c.subtreeEnd, c.from);
    this.start.set(c.start, c.from);
    this.duration.set(c.duration, c.from);
    this.adjust.set(c.adjust, c.from);
    this.service.set(c.service, c.from);
    this.flags.set(c.flags, c.from);
    for (let i = 0; i < count; i++) {
      this.name[c.from + i] = c.names[c.nameIndex[i]];
      const m0 = i ? c.markEnd[i - 1] : 0;
      if (c.markEnd[i] > m0) this.marks.set(c.from + i, c.markTimes.subarray(m0, c.markEnd[i]));
    }
    this.arrived.fill(1, c.from, c.to);
    this.idChunks.push(c);
    this.chunksIn++;
    this.rowsIn += count;
    return 'applied';
  }

  kind(r: number): SpanKind {
    return KIND_CODES[this.flags[r] & 7] ?? 'unspecified';
  }
  error(r: number): boolean {
    return (this.flags[r] & ROW_ERROR) !== 0;
  }
  warned(r: number): boolean {
    return (this.flags[r] & ROW_WARNED) !== 0;
  }
  critical(r: number): boolean {
    return (this.flags[r] & ROW_CRITICAL) !== 0;
  }

  private chunkOf(r: number): RowChunk | undefined {
    return this.idChunks.find((c) => r >= c.from && r < c.to);
  }

  /** The row's span id ('' until its chunk has arrived). */
  spanId(r: number): string {
    const c = this.chunkOf(r);
    if (!c) return '';
    const i = r - c.from;
    return utf8.decode(c.ids.subarray(i ? c.idEnd[i - 1] : 0, c.idEnd[i]));
  }

  /** The row of a span id among the rows arrived so far, or -1. */
  rowOfSpanId(id: string): number {
    const want = new TextEncoder().encode(id);
    for (const c of this.idChunks) {
      next: for (let i = 0, a = 0; i < c.to - c.from; a = c.idEnd[i], i++) {
        if (c.idEnd[i] - a !== want.length) continue;
        for (let k = 0; k < want.length; k++) if (c.ids[a + k] !== want[k]) continue next;
        return c.from + i;
      }
    }
    return -1;
  }
}
