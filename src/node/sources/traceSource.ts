/**
 * One interface for every place traces come from and go to. The tree, the waterfall, "Send" and the
 * CLI know only this; each backend is one file beside it. No vscode here: cancellation arrives as an
 * AbortSignal (the extension turns its CancellationToken into one).
 */
import type { ToolAnswer } from '../../shared/agent/traceDigest';
import type { Span } from '../../shared/model';
import type { TempoValueType } from '../../shared/query/traceql';
import type { TraceSummaryRow } from '../../shared/store/traceStore';

export type SourceKind = 'local' | 'zipkin' | 'tempo' | 'jaeger';
export const SOURCE_KINDS: readonly SourceKind[] = ['local', 'zipkin', 'tempo', 'jaeger'];

/** What the user filters recent traces by. Each backend sends what it understands and says what it ignored. */
export interface SearchQuery {
  service?: string;
  operation?: string;
  minDurationUs?: number;
  maxDurationUs?: number;
  /** Span or resource attributes that must match (Zipkin annotationQuery, Jaeger tags, Tempo tags). */
  tags?: Record<string, string>;
  /** Tempo: the type its tag-values answer gave each tag's value (TraceQL compares typed values). */
  tagTypes?: Record<string, TempoValueType>;
  /** Tempo only: a TraceQL query; replaces the other filters. */
  traceql?: string;
  /** How far back to look (default 1 hour). */
  lookbackMs?: number;
  /** End of the time range (ms since epoch, default now). */
  endMs?: number;
  limit?: number;
}

export interface IngestResult {
  /** Where the spans went (credentials removed). */
  url: string;
  status: number;
  spanCount: number;
  /** What the receiver said, if anything. */
  message?: string;
}

/** A trace as fetched, and why it is incomplete when the backend said it is (Tempo's PARTIAL). */
export interface FetchedTrace {
  spans: Span[];
  incomplete?: string;
}

export interface TraceSource {
  readonly id: string;
  readonly label: string;
  readonly kind: SourceKind;
  /** Recent traces, newest first. */
  listTraces(query: SearchQuery, signal?: AbortSignal): Promise<TraceSummaryRow[]>;
  /** The spans of one trace, or undefined when the source does not have it (yet). */
  getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined>;
  /** The same with what the backend said about completeness, where it says anything. */
  fetchTrace?(traceId: string, signal?: AbortSignal): Promise<FetchedTrace | undefined>;
  /** What a search sends, in the backend's own terms (Tempo: the TraceQL). */
  queryText?(query: SearchQuery): string;
  services(signal?: AbortSignal): Promise<string[]>;
  /** Span names (operations) of a service, for filter suggestions. */
  operations(service: string, signal?: AbortSignal): Promise<string[]>;
  /** Tag names and values for filter suggestions, where the backend offers them. */
  tagNames?(signal?: AbortSignal): Promise<string[]>;
  tagValues?(tag: string, signal?: AbortSignal): Promise<string[]>;
  /** Post spans to where this endpoint ingests. */
  ingest(spans: readonly Span[], signal?: AbortSignal): Promise<IngestResult>;
  /** A few words for the endpoint's row (the local receiver: shared, taking over, port held by another program). */
  statusLine?(): string;
  /** A message to show in place of the list (or above it), with a command to act on it. */
  notice?(): { text: string; warning: boolean; command?: string } | undefined;
  /**
   * Run a read-only agent tool where the data is (the window that owns the local receiver), returning
   * its answer; undefined when it cannot, and the tool then runs here on the fetched spans.
   */
  runTool?(name: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer | undefined>;
  /** A line for tooltips: where it is and what it holds. */
  describe(): string;
  dispose?(): Promise<void>;
}

export const DEFAULT_LOOKBACK_MS = 60 * 60 * 1000;
export const DEFAULT_LIMIT = 20;
