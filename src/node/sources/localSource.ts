/** The built-in local endpoint: the in-process store, fed by the local receiver and by "Send". */
import type { Span } from '../../shared/model';
import type { ListenerName, UdpStats } from '../receiver';
import type { PersistenceStats } from '../store/persistentStore';
import type { TraceStore, TraceSummaryRow } from '../../shared/store/traceStore';
import { DEFAULT_LIMIT, type IngestResult, type SearchQuery, type TraceSource } from './traceSource';

export class LocalSource implements TraceSource {
  readonly id = 'local';
  readonly label = 'Local';
  readonly kind = 'local' as const;
  ports: Partial<Record<ListenerName, number>> & { errors: string[] } = { errors: [] };
  /** The receiver's counts of Jaeger UDP datagrams (UDP gives senders no answer, so the row tells). */
  udp?: UdpStats;
  /** The store on disk, when traces are kept there. */
  persistence?: () => PersistenceStats | undefined;

  constructor(readonly store: TraceStore) {}

  async listTraces(q: SearchQuery): Promise<TraceSummaryRow[]> {
    const endUs = (q.endMs ?? Date.now()) * 1000;
    return this.store.list({
      service: q.service,
      spanName: q.operation,
      minDurationUs: q.minDurationUs,
      maxDurationUs: q.maxDurationUs,
      tags: q.tags,
      // The local store holds what was sent to it, often old reference payloads: no time window unless asked.
      sinceUs: q.lookbackMs !== undefined ? endUs - q.lookbackMs * 1000 : undefined,
      limit: q.limit ?? DEFAULT_LIMIT * 5,
    });
  }

  async getTrace(traceId: string): Promise<Span[] | undefined> {
    const spans = this.store.get(traceId);
    return spans ? [...spans] : undefined;
  }

  async services(): Promise<string[]> {
    return this.store.services();
  }

  async operations(service: string): Promise<string[]> {
    return this.store.spanNames(service);
  }

  async tagNames(): Promise<string[]> {
    return this.store.tagNames();
  }

  async ingest(spans: readonly Span[]): Promise<IngestResult> {
    this.store.add(spans);
    return { url: 'local store', status: 200, spanCount: spans.length };
  }

  describe(): string {
    const s = this.store.stats();
    const where = [
      this.ports.otlp ? `OTLP/HTTP on http://127.0.0.1:${this.ports.otlp}/v1/traces` : undefined,
      this.ports.grpc ? `OTLP/gRPC on 127.0.0.1:${this.ports.grpc}` : undefined,
      this.ports.zipkin ? `Zipkin on http://127.0.0.1:${this.ports.zipkin}/api/v2/spans` : undefined,
      this.ports['jaeger-compact'] ? `Jaeger Thrift compact on udp://127.0.0.1:${this.ports['jaeger-compact']}` : undefined,
      this.ports['jaeger-binary'] ? `Jaeger Thrift binary on udp://127.0.0.1:${this.ports['jaeger-binary']}` : undefined,
      this.ports['jaeger-http'] ? `Jaeger collector on http://127.0.0.1:${this.ports['jaeger-http']}/api/traces` : undefined,
    ].filter(Boolean);
    const u = this.udp;
    const udp = u?.datagrams ? ` Jaeger UDP: ${u.datagrams} datagrams, ${u.spans} spans stored, ${u.refused} refused${u.lastRefusal ? ` (last: ${u.lastRefusal})` : ''}.` : '';
    const p = this.persistence?.();
    const disk = p ? ` Kept on disk: ${(p.bytes / 1024 / 1024).toFixed(1)} MB in ${p.segments} segment${p.segments === 1 ? '' : 's'} (${p.dir})${p.writer ? '' : ', written by another window'}.` : ' Kept in memory only.';
    const lost = s.undecodable ? ` ${s.undecodable} received spans could not be decoded (${s.lastDecodeError}); this is a bug, please report it.` : '';
    return `Built-in receiver: ${where.join(', ') || 'not listening'}. ${s.traces} traces, ${s.spans} of at most ${s.maxSpans} spans kept${s.evictedTraces ? `, ${s.evictedTraces} older traces evicted` : ''}.${disk}${udp}${lost}`;
  }
}
