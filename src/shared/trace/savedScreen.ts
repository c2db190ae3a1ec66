/**
 * A screenful of a trace's rows kept in the webview's own state, so that after a window reload the
 * waterfall draws them as soon as its page loads, while the extension host is still reading and
 * linking the trace (seconds for 100,000 spans). It is the screen the host's first chunk will show
 * (the rows around the selected span, or the first rows), so nothing moves when the live rows
 * replace it. Plain JSON: VS Code keeps webview state as JSON, which has no typed arrays. Pure, so the
 * round trip is tested in Node.
 */
import type { RowChunk, WaterfallHeader } from '../protocol';
import type { TraceRows } from './traceRows';

/** The load id of a saved screen: no host load has it, so no host chunk is ever mixed into it. */
export const SAVED_LOAD_ID = -1;
/** Rows kept: a tall editor's screen and some, a few kilobytes of state. */
export const SAVED_ROWS = 80;

export interface SavedRows {
  from: number;
  depth: number[];
  parent: number[];
  subtreeEnd: number[];
  start: number[];
  duration: number[];
  adjust: number[];
  service: number[];
  flags: number[];
  names: string[];
  ids: string[];
  marks: number[][];
}

export interface SavedScreen {
  header: WaterfallHeader;
  rows: SavedRows;
}

/** The rows the first screen after a reload shows: around the selected row, or the first ones. Undefined when not all of them have arrived. */
export function saveScreen(t: TraceRows, selected: number): SavedScreen | undefined {
  const from = selected >= 0 ? Math.max(0, Math.min(selected - 30, t.rowCount - SAVED_ROWS)) : 0;
  const to = Math.min(t.rowCount, from + SAVED_ROWS);
  if (to <= from) return undefined;
  for (let r = from; r < to; r++) if (!t.has(r)) return undefined;
  const range = (a: ArrayLike<number>): number[] => Array.from({ length: to - from }, (_, i) => a[from + i]);
  const rows: SavedRows = {
    from,
    depth: range(t.depth),
    parent: range(t.parent),
    subtreeEnd: range(t.subtreeEnd),
    start: range(t.start),
    duration: range(t.duration),
    adjust: range(t.adjust),
    service: range(t.service),
    flags: range(t.flags),
    names: t.name.slice(from, to),
    ids: Array.from({ length: to - from }, (_, i) => t.spanId(from + i)),
    marks: Array.from({ length: to - from }, (_, i) => Array.from(t.marks.get(from + i) ?? [])),
  };
  const { selectRow: _selected, ...header } = t.header;
  return { header: { ...header, loadId: SAVED_LOAD_ID, ...(selected >= from && selected < to ? { selectRow: selected } : {}) }, rows };
}

/** The saved rows as the chunk the host would have sent; undefined when the state does not hold a well-formed screen. */
export function savedChunk(saved: SavedScreen | undefined): RowChunk | undefined {
  const s = saved?.rows;
  if (!s || saved.header?.loadId !== SAVED_LOAD_ID || typeof s.from !== 'number' || !Array.isArray(s.names) || !Array.isArray(s.ids) || !Array.isArray(s.marks)) return undefined;
  const n = s.ids.length;
  const columns = [s.depth, s.parent, s.subtreeEnd, s.start, s.duration, s.adjust, s.service, s.flags, s.names, s.marks];
  if (n === 0 || columns.some((c) => !Array.isArray(c) || c.length !== n)) return undefined;
  const utf8 = new TextEncoder();
  const idBytes = s.ids.map((id) => utf8.encode(String(id)));
  const ids = new Uint8Array(idBytes.reduce((sum, b) => sum + b.length, 0));
  const idEnd = new Uint32Array(n);
  let at = 0;
  idBytes.forEach((b, i) => {
    ids.set(b, at);
    idEnd[i] = at += b.length;
  });
  const markEnd = new Uint32Array(n);
  let marks = 0;
  s.marks.forEach((m, i) => (markEnd[i] = marks += Array.isArray(m) ? m.length : 0));
  return {
    loadId: SAVED_LOAD_ID,
    from: s.from,
    to: s.from + n,
    depth: Int32Array.from(s.depth),
    parent: Int32Array.from(s.parent),
    subtreeEnd: Int32Array.from(s.subtreeEnd),
    start: Float64Array.from(s.start),
    duration: Float64Array.from(s.duration),
    adjust: Float64Array.from(s.adjust),
    service: Uint32Array.from(s.service),
    flags: Uint8Array.from(s.flags),
    names: s.names.map(String),
    nameIndex: Uint32Array.from({ length: n }, (_, i) => i),
    ids,
    idEnd,
    markEnd,
    markTimes: Float64Array.from(s.marks.flatMap((m) => (Array.isArray(m) ? m : []))),
  };
}
