/**
 * The comparison webview's message protocol. The host compares the two traces (`compareTraces`) and
 * sends the merged tree's nodes and, per side, a compact overview of its rows (typed arrays, binary)
 * for the side-by-side waterfall. Spans of a node, opening one, and its source are requests.
 */
import type { ReplyEnvelope } from './protocol';
import type { CompareNode } from './trace/compare';

export interface CompareSideView {
  /** "A" or "B" and where the trace came from, e.g. "A · Local". */
  label: string;
  traceId: string;
  spanCount: number;
  durationUs: number;
  /** Per row (the linked trace's row order): start relative to the trace's start and duration, µs. */
  start: Float64Array;
  duration: Float64Array;
  /** The merged tree's node each row belongs to. */
  node: Int32Array;
  /** 1 where the span failed. */
  error: Uint8Array;
}

/** A node of the merged tree as the webview gets it: its own label instead of the whole path, no rows. */
export type CompareNodeView = Omit<CompareNode, 'path' | 'rowsA' | 'rowsB'> & {
  /** `service: name` of the node's spans. */
  label: string;
};

export interface CompareSpanRef {
  row: number;
  spanId: string;
  name: string;
  service: string;
  durationUs: number;
  selfUs: number;
  error: boolean;
  /** Where the span says its code is (`code.*` attributes or a stack frame), shortened for display. */
  source?: string;
}

export type CompareRequest =
  | { action: 'spans'; node: number }
  | { action: 'open'; side: 'a' | 'b'; row: number }
  | { action: 'openSource'; side: 'a' | 'b'; row: number }
  | { action: 'swap' };

export interface CompareReplyMap {
  spans: { a: CompareSpanRef[]; b: CompareSpanRef[] };
  open: { opened: boolean };
  openSource: { opened: boolean };
  swap: Record<string, never>;
}

export type ToCompareWebview =
  | { type: 'compare'; a: CompareSideView; b: CompareSideView; nodes: CompareNodeView[] }
  | { type: 'failed'; message: string }
  | ReplyEnvelope;

export type FromCompareWebview = { type: 'ready' } | { type: 'request'; requestId: number; request: CompareRequest };
