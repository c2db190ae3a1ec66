/** One interface for every place traces come from; the tree and the waterfall only know this. */
import type { CancellationToken } from 'vscode';
import type { Span } from '../../shared/model';
import type { TraceQuery, TraceSummaryRow } from '../../shared/store/traceStore';

export type SourceKind = 'local' | 'zipkin' | 'tempo' | 'jaeger';

export interface TraceSource {
  readonly id: string;
  readonly label: string;
  readonly kind: SourceKind;
  /** Recent traces, newest first. */
  listTraces(query: TraceQuery, token?: CancellationToken): Promise<TraceSummaryRow[]>;
  /** The spans of one trace, or undefined when the source does not have it. */
  getTrace(traceId: string, token?: CancellationToken): Promise<Span[] | undefined>;
  services(token?: CancellationToken): Promise<string[]>;
  /** A line for the tree's tooltip: where it is, what it holds. */
  describe(): string;
}
