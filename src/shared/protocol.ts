/**
 * The waterfall webview's message protocol: one union per direction. The trace crosses as a header
 * and then chunks of rows in typed arrays (binary, no JSON), the first screen's rows first; details,
 * search and copy are requests the host always answers, with a value or an error, matched by `requestId`.
 */
import type { SpanKind } from './model';

/**
 * What the webview needs before any row: the trace's identity, time axis and tables. Rows follow in
 * `RowChunk`s; the first chunk holds the rows of the first screen, so the webview draws them before
 * the rest of the trace has crossed. Times are µs relative to `startUs`.
 */
export interface WaterfallHeader {
  /** Which load of the panel this is: chunks of an earlier load (a trace replaced while loading) are dropped. */
  loadId: number;
  traceId: string;
  title: string;
  /** Where the trace came from, e.g. "local" or "Zipkin (prod)". */
  source: string;
  startUs: number;
  durationUs: number;
  services: string[];
  rowCount: number;
  /** How many chunks this load sends; the trace is complete when all have arrived. */
  chunkCount: number;
  /** Repairs in the trace (one per repaired span); the first lines of them. */
  warningCount: number;
  warnings: string[];
  skewAdjusted: boolean;
  /** The row to select once it has arrived (the host looked the span id up). */
  selectRow?: number;
  /** The trace came from an endpoint that can be asked again (not from a file). */
  reloadable?: boolean;
  /** Why the trace is incomplete, when its backend said it is (Tempo's PARTIAL). */
  incomplete?: string;
  /** Which endpoint (or "file") the trace came from, kept in the webview's state so the panel can be revived after VS Code restarts. */
  sourceId?: string;
}

/** Bits of `RowChunk.flags`. The low three bits are the span kind (`KIND_CODES`). */
export const ROW_ERROR = 8;
/** The row has repair warnings (orphan, duplicate, cycle, skew…). */
export const ROW_WARNED = 16;
/** The row lies on the critical path. */
export const ROW_CRITICAL = 32;
export const KIND_CODES: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/**
 * Rows `from`…`to - 1` as typed arrays, which VS Code moves to the webview as binary (no JSON).
 * Strings are tables: `names` holds this chunk's distinct names, `nameIndex` points into it; span ids
 * are UTF-8 bytes, row `from + i` owning `ids[idEnd[i-1] … idEnd[i])` (0 for i = 0), and likewise
 * event marks in `markTimes` up to `markEnd[i]`.
 */
export interface RowChunk {
  loadId: number;
  from: number;
  to: number;
  depth: Int32Array;
  parent: Int32Array;
  subtreeEnd: Int32Array;
  start: Float64Array;
  duration: Float64Array;
  /** Clock-skew shift applied (µs), 0 when none. */
  adjust: Float64Array;
  service: Uint32Array;
  flags: Uint8Array;
  names: string[];
  nameIndex: Uint32Array;
  ids: Uint8Array;
  idEnd: Uint32Array;
  markEnd: Uint32Array;
  markTimes: Float64Array;
}

export interface SpanDetails {
  row: number;
  spanId: string;
  parentId: string | null;
  traceId: string;
  name: string;
  service: string;
  kind: SpanKind;
  startUs: number;
  durationUs: number;
  /** The part of the span's duration none of its children covers. */
  selfUs: number;
  /** How much of the span's time lies on the critical path, when any does. */
  criticalUs?: number;
  status: { code: string; message?: string };
  attributes: Array<[string, string]>;
  resource: Array<[string, string]>;
  scope?: string;
  events: Array<{ offsetUs: number; name: string; attributes: Array<[string, string]> }>;
  links: Array<{ traceId: string; spanId: string; row: number | null }>;
  warnings: string[];
  /** Source locations found on the span (code.* attributes, stack frames), for "open source". */
  sources: Array<{ label: string; path: string; line?: number; column?: number }>;
}

export type CopyFormat = 'id' | 'zipkin' | 'otlp-json' | 'jaeger';

export type Request =
  | { action: 'details'; row: number }
  | { action: 'search'; query: string }
  | { action: 'copy'; row: number; format: CopyFormat }
  | { action: 'openSource'; path: string; line?: number; column?: number }
  | { action: 'setSkew'; on: boolean }
  | { action: 'sendAgain'; row: number; subtree: boolean }
  | { action: 'reload' }
  | { action: 'compareWith' }
  /** Trace statistics grouped by service, operation or an attribute key. */
  | { action: 'stats'; groupBy: string }
  /** The rows of one statistics group, to show only them. */
  | { action: 'groupRows'; groupBy: string; key: string };

export interface ReplyMap {
  details: SpanDetails;
  search: { rows: number[]; error?: string };
  copy: { copied: string };
  openSource: { opened: boolean };
  setSkew: Record<string, never>;
  sendAgain: { sent: boolean };
  /** The trace fetched again from its endpoint: how many spans it has now, and how many are new. */
  reload: { spanCount: number; added: number };
  /** "Compare with…": whether the user picked a trace (a comparison panel opened). */
  compareWith: { compared: boolean };
  stats: { groupBy: string; rows: Array<{ key: string; count: number; totalUs: number; selfUs: number; avgUs: number; minUs: number; maxUs: number; errors: number }>; traceUs: number; attributeKeys: string[] };
  groupRows: { rows: number[] };
}

/** The answer to a webview's request: its value, or why there is none. */
export type ReplyEnvelope = { type: 'reply'; requestId: number; ok: true; value: unknown } | { type: 'reply'; requestId: number; ok: false; error: string };

// Host → webview
export type ToWebview =
  | { type: 'traceStart'; header: WaterfallHeader }
  | { type: 'rows'; chunk: RowChunk }
  | { type: 'loading'; message: string }
  | { type: 'failed'; message: string }
  | ReplyEnvelope;

// Webview → host
export type FromWebview =
  | { type: 'ready' }
  | { type: 'request'; requestId: number; request: Request }
  | { type: 'state'; selectedSpanId?: string }
  /** The user clicked or typed in the waterfall (once per trace shown): a preview panel becomes a kept one. */
  | { type: 'interacted' };
