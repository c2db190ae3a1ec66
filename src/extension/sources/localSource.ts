/** The built-in local endpoint: the in-process store, fed by the local receiver and by "Send". */
import type { Span } from '../../shared/model';
import type { TraceQuery, TraceStore, TraceSummaryRow } from '../../shared/store/traceStore';
import type { TraceSource } from './traceSource';

export class LocalSource implements TraceSource {
  readonly id = 'local';
  readonly label = 'Local';
  readonly kind = 'local' as const;
  ports: { otlp?: number; zipkin?: number; errors: string[] } = { errors: [] };

  constructor(readonly store: TraceStore) {}

  async listTraces(query: TraceQuery): Promise<TraceSummaryRow[]> {
    return this.store.list({ limit: 50, ...query });
  }

  async getTrace(traceId: string): Promise<Span[] | undefined> {
    const spans = this.store.get(traceId);
    return spans ? [...spans] : undefined;
  }

  async services(): Promise<string[]> {
    return this.store.services();
  }

  describe(): string {
    const s = this.store.stats();
    const where = [
      this.ports.otlp ? `OTLP/HTTP on http://127.0.0.1:${this.ports.otlp}/v1/traces` : undefined,
      this.ports.zipkin ? `Zipkin on http://127.0.0.1:${this.ports.zipkin}/api/v2/spans` : undefined,
    ].filter(Boolean);
    return `Built-in receiver: ${where.join(', ') || 'not listening'}. ${s.traces} traces, ${s.spans} of at most ${s.maxSpans} spans kept${s.evictedTraces ? `, ${s.evictedTraces} older traces evicted` : ''}.`;
  }
}
