/**
 * The waterfall webview's message protocol: one union per direction. The trace crosses once, as
 * columns (one array per field, services as an index table); details, search and copy are requests
 * the host always answers, with a value or an error, matched by `requestId`.
 */
import type { SpanKind } from './model';

/** Columnar rows of a linked trace, in waterfall order. Times are µs relative to `startUs`. */
export interface WaterfallData {
  traceId: string;
  title: string;
  /** Where the trace came from, e.g. "local" or "Zipkin (prod)". */
  source: string;
  startUs: number;
  durationUs: number;
  services: string[];
  rowCount: number;
  name: string[];
  service: number[];
  kind: SpanKind[];
  depth: number[];
  parent: number[];
  subtreeEnd: number[];
  start: number[];
  duration: number[];
  /** 1 when the span's status is error. */
  error: number[];
  /** 1 when the row has repair warnings (orphan, duplicate, cycle, skew…). */
  warned: number[];
  /** Clock-skew shift applied (µs), 0 when none. */
  adjust: number[];
  /** 1 when the row lies on the critical path. */
  critical: number[];
  spanId: string[];
  /** Event times per row that has events (µs relative to startUs), for marks on the bars. */
  marks: Record<number, number[]>;
  warnings: string[];
  skewAdjusted: boolean;
  /** The trace came from an endpoint that can be asked again (not from a file). */
  reloadable?: boolean;
  /** Why the trace is incomplete, when its backend said it is (Tempo's PARTIAL). */
  incomplete?: string;
  /** Which endpoint (or "file") the trace came from, kept in the webview's state so the panel can be revived after VS Code restarts. */
  sourceId?: string;
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
  | { action: 'reload' };

export interface ReplyMap {
  details: SpanDetails;
  search: { rows: number[]; error?: string };
  copy: { copied: string };
  openSource: { opened: boolean };
  setSkew: Record<string, never>;
  sendAgain: { sent: boolean };
  /** The trace fetched again from its endpoint: how many spans it has now, and how many are new. */
  reload: { spanCount: number; added: number };
}

// Host → webview
export type ToWebview =
  | { type: 'trace'; data: WaterfallData; selectSpanId?: string }
  | { type: 'loading'; message: string }
  | { type: 'failed'; message: string }
  | { type: 'reply'; requestId: number; ok: true; value: unknown }
  | { type: 'reply'; requestId: number; ok: false; error: string };

// Webview → host
export type FromWebview =
  | { type: 'ready' }
  | { type: 'request'; requestId: number; request: Request }
  | { type: 'state'; selectedSpanId?: string };
