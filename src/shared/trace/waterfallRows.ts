/**
 * The host's half of the waterfall's transfer: a linked trace → a header and chunks of rows in typed
 * arrays. The first chunk is the first screen (around the row to select), so the webview draws it
 * before the rest has crossed; the others follow in order, and a caller can stop between any two.
 */
import { KIND_CODES, ROW_CRITICAL, ROW_ERROR, ROW_WARNED, type RowChunk, type WaterfallHeader } from '../protocol';
import { criticalRows } from './criticalPath';
import { traceWarnings, type Trace } from './trace';

/** Rows in the first chunk: more than any screen shows, so the first draw needs nothing else. */
export const FIRST_CHUNK_ROWS = 256;
/**
 * Rows per later chunk: about 1.2 MB, built (and serialized by VS Code) in a few ms, so the host stays
 * responsive between them. Measured in the real editor at 100,000 spans: the longest block was
 * 117–124 ms with chunks of 50,000 rows, 103–107 ms with 20,000, the load as quick.
 */
export const CHUNK_ROWS = 20_000;
/** Warning lines sent with the header; the count says how many there are in all. */
const WARNING_LINES = 200;

export interface HeaderExtras {
  reloadable?: boolean;
  incomplete?: string;
  sourceId?: string;
  selectSpanId?: string;
}

/** Row ranges of a load, the first screen's first: [from, to) pairs covering every row once. */
export function chunkRanges(rowCount: number, firstRow = 0, firstRows = FIRST_CHUNK_ROWS, chunkRows = CHUNK_ROWS): Array<[number, number]> {
  if (rowCount === 0) return [];
  const a = Math.max(0, Math.min(rowCount - 1, firstRow - (firstRows >> 2)));
  const b = Math.min(rowCount, a + firstRows);
  const out: Array<[number, number]> = [[a, b]];
  for (let from = 0; from < a; from += chunkRows) out.push([from, Math.min(a, from + chunkRows)]);
  for (let from = b; from < rowCount; from += chunkRows) out.push([from, Math.min(rowCount, from + chunkRows)]);
  return out;
}

/** What a load needs besides the trace: per-row flags and the service table, computed once per load. */
export interface RowsPlan {
  header: WaterfallHeader;
  ranges: Array<[number, number]>;
  serviceOf: Uint32Array;
  flags: Uint8Array;
}

/** A table of distinct strings, each given the index of its first appearance. */
function stringTable(): { strings: string[]; indexOf(s: string): number } {
  const strings: string[] = [];
  const index = new Map<string, number>();
  return {
    strings,
    indexOf(s: string): number {
      let i = index.get(s);
      if (i === undefined) {
        i = strings.push(s) - 1;
        index.set(s, i);
      }
      return i;
    },
  };
}

export function planRows(trace: Trace, source: string, loadId: number, extras: HeaderExtras = {}): RowsPlan {
  const n = trace.spans.length;
  const services = stringTable();
  const serviceOf = new Uint32Array(n);
  const flags = new Uint8Array(n);
  const kindCode = new Map(KIND_CODES.map((k, i) => [k, i]));
  for (let r = 0; r < n; r++) {
    const s = trace.spans[r];
    serviceOf[r] = services.indexOf(s.service);
    flags[r] = (kindCode.get(s.kind) ?? 0) | (s.status.code === 'error' ? ROW_ERROR : 0);
  }
  for (const r of trace.warnings.keys()) flags[r] |= ROW_WARNED;
  for (const r of criticalRows(trace)) flags[r] |= ROW_CRITICAL;
  const selectRow = extras.selectSpanId ? trace.uid.indexOf(extras.selectSpanId) : -1;
  const warnings = trace.warnings.size ? traceWarnings(trace) : [];
  const root = n ? trace.spans[0] : undefined;
  const ranges = chunkRanges(n, Math.max(0, selectRow));
  const header: WaterfallHeader = {
    loadId,
    traceId: trace.traceId,
    title: root ? `${root.service || '?'}: ${root.name || '(unnamed)'}` : '(empty trace)',
    source,
    startUs: trace.startUs,
    durationUs: trace.endUs - trace.startUs,
    services: services.strings,
    rowCount: n,
    chunkCount: ranges.length,
    warningCount: warnings.length,
    warnings: warnings.slice(0, WARNING_LINES),
    skewAdjusted: trace.adjust.some((a) => a !== 0),
    ...(selectRow >= 0 ? { selectRow } : {}),
    ...(extras.reloadable !== undefined ? { reloadable: extras.reloadable } : {}),
    ...(extras.incomplete ? { incomplete: extras.incomplete } : {}),
    ...(extras.sourceId ? { sourceId: extras.sourceId } : {}),
  };
  return { header, ranges, serviceOf, flags };
}

const utf8 = new TextEncoder();

/** Rows [from, to) of the plan's trace, copied into fresh typed arrays (transferable, owned by the message). */
export function rowChunk(trace: Trace, plan: RowsPlan, from: number, to: number): RowChunk {
  const count = to - from;
  const names = stringTable();
  const nameIndex = new Uint32Array(count);
  const idEnd = new Uint32Array(count);
  let idText = '';
  const markEnd = new Uint32Array(count);
  const markTimes: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = from + i;
    const s = trace.spans[r];
    nameIndex[i] = names.indexOf(s.name);
    idText += trace.uid[r];
    // Ids are ASCII in practice (hex, with `:shared` / `~N` suffixes); the byte length is checked below.
    idEnd[i] = idText.length;
    for (const e of s.events) if (Number.isFinite(e.timeUs)) markTimes.push(e.timeUs + trace.adjust[r] - trace.startUs);
    markEnd[i] = markTimes.length;
  }
  let ids = utf8.encode(idText);
  if (ids.length !== idText.length) {
    // Some id is not ASCII (hostile data): measure each one in bytes.
    const parts = trace.uid.slice(from, to).map((u) => utf8.encode(u));
    ids = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    parts.forEach((p, i) => {
      ids.set(p, at);
      at += p.length;
      idEnd[i] = at;
    });
  }
  const start = new Float64Array(count);
  for (let i = 0; i < count; i++) start[i] = trace.start[from + i] - trace.startUs;
  return {
    loadId: plan.header.loadId,
    from,
    to,
    depth: trace.depth.slice(from, to),
    parent: trace.parent.slice(from, to),
    subtreeEnd: trace.subtreeEnd.slice(from, to),
    start,
    duration: trace.duration.slice(from, to),
    adjust: trace.adjust.slice(from, to),
    service: plan.serviceOf.slice(from, to),
    flags: plan.flags.slice(from, to),
    names: names.strings,
    nameIndex,
    ids,
    idEnd,
    markEnd,
    markTimes: Float64Array.from(markTimes),
  };
}

/** The typed arrays' buffers of a chunk, for `postMessage`'s transfer list. */
export function chunkBuffers(c: RowChunk): ArrayBuffer[] {
  return [c.depth, c.parent, c.subtreeEnd, c.start, c.duration, c.adjust, c.service, c.flags, c.nameIndex, c.ids, c.idEnd, c.markEnd, c.markTimes].map((a) => a.buffer as ArrayBuffer);
}

export interface SendRowsOptions {
  /** Still wanted? Checked before each chunk: false stops the load (another trace, a closed panel). */
  current(): boolean;
  /** Let other work run between chunks (the host's event loop, the page's frames). */
  pause(): Promise<void>;
}

/**
 * Post a plan's header and then its chunks, pausing between chunks and stopping as soon as the load is
 * no longer wanted. Resolves to whether every chunk was posted.
 */
export async function sendRows(trace: Trace, plan: RowsPlan, post: (m: { type: 'traceStart'; header: WaterfallHeader } | { type: 'rows'; chunk: RowChunk }) => unknown, o: SendRowsOptions): Promise<boolean> {
  if (!o.current()) return false;
  await post({ type: 'traceStart', header: plan.header });
  for (const [from, to] of plan.ranges) {
    if (!o.current()) return false;
    await post({ type: 'rows', chunk: rowChunk(trace, plan, from, to) });
    await o.pause();
  }
  return o.current();
}
