/** The built-in local endpoint: the in-process store, fed by the local receiver and by "Send". */
import type { Span } from '../../shared/model';
import type { ListenerName, UdpStats } from '../receiver';
import type { HttpClient } from '../http/httpClient';
import { ZipkinSource } from './zipkinSource';
import { ToolError } from '../agent/toolError';
import type { ToolAnswer } from '../../shared/agent/traceDigest';
import { spansFromJson, spansToJson, type PersistenceStats } from '../store/persistentStore';
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

  /**
   * Set while another window owns the receiver: this window reads and writes the owner's store through
   * its owner API instead of its own (which stays empty), so both show the same traces.
   */
  owner: { client: HttpClient; url: string; protocol: number } | undefined;
  /** A line for the Local row: who owns the receiver, a take-over in progress, or a foreign port holder. */
  status = '';

  /** Set while the OTLP port is held by a program that is not Trace Explorer. */
  foreign: { text: string } | undefined;
  /** Set while this window takes the receiver over from one that closed. */
  takingOver = false;

  constructor(readonly store: TraceStore) {}

  statusLine(): string {
    if (this.takingOver) return 'taking over…';
    if (this.foreign) return 'port in use';
    if (this.owner) return 'shared with another window';
    return '';
  }

  notice(): { text: string; warning: boolean; command?: string } | undefined {
    if (this.takingOver) return { text: `The window that owned the local receiver is gone: taking over its ports and traces…`, warning: false };
    if (this.foreign) return { text: this.foreign.text, warning: true, command: 'traceExplorer.resolveLocalPort' };
    return undefined;
  }

  /** An owner from before the owner API (protocol 0) is read through the Zipkin API it serves. */
  private legacy(): ZipkinSource | undefined {
    if (!this.owner || this.owner.protocol > 0) return undefined;
    if (this.legacySource?.client !== this.owner.client) this.legacySource = { client: this.owner.client, source: new ZipkinSource('local-owner', 'Local (an older Trace Explorer)', this.owner.client) };
    return this.legacySource.source;
  }

  private legacySource: { client: HttpClient; source: ZipkinSource } | undefined;

  private async ownerGet<T>(path: string, query?: Record<string, string>, signal?: AbortSignal): Promise<T> {
    const res = await this.owner!.client.get(`/api/trace-explorer/${path}`, { query, signal });
    return res.json() as T;
  }

  async listTraces(q: SearchQuery, signal?: AbortSignal): Promise<TraceSummaryRow[]> {
    const endUs = (q.endMs ?? Date.now()) * 1000;
    const query = {
      service: q.service,
      spanName: q.operation,
      minDurationUs: q.minDurationUs,
      maxDurationUs: q.maxDurationUs,
      tags: q.tags,
      // The local store holds what was sent to it, often old reference payloads: no time window unless asked.
      sinceUs: q.lookbackMs !== undefined ? endUs - q.lookbackMs * 1000 : undefined,
      limit: q.limit ?? DEFAULT_LIMIT * 5,
    };
    const legacy = this.legacy();
    if (legacy) return legacy.listTraces({ ...q, limit: query.limit }, signal);
    if (this.owner) return this.ownerGet<TraceSummaryRow[]>('traces', { q: JSON.stringify(query) }, signal);
    return this.store.list(query);
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined> {
    const legacy = this.legacy();
    if (legacy) return legacy.getTrace(traceId, signal);
    if (this.owner) {
      const res = await this.owner.client.get(`/api/trace-explorer/trace/${encodeURIComponent(traceId)}`, { signal, okStatuses: [404] });
      return res.status === 404 ? undefined : spansFromJson(res.body);
    }
    const spans = this.store.get(traceId);
    return spans ? [...spans] : undefined;
  }

  async services(signal?: AbortSignal): Promise<string[]> {
    const legacy = this.legacy();
    if (legacy) return legacy.services(signal);
    return this.owner ? this.ownerGet<string[]>('services', undefined, signal) : this.store.services();
  }

  async operations(service: string, signal?: AbortSignal): Promise<string[]> {
    const legacy = this.legacy();
    if (legacy) return legacy.operations(service, signal);
    return this.owner ? this.ownerGet<string[]>('operations', { service }, signal) : this.store.spanNames(service);
  }

  async tagNames(signal?: AbortSignal): Promise<string[]> {
    if (this.legacy()) return [];
    return this.owner ? this.ownerGet<string[]>('tags', undefined, signal) : this.store.tagNames();
  }

  async ingest(spans: readonly Span[], signal?: AbortSignal): Promise<IngestResult> {
    const legacy = this.legacy();
    if (legacy) return legacy.ingest(spans, signal);
    if (this.owner) {
      const res = await this.owner.client.post('/api/trace-explorer/spans', { body: spansToJson(spans), contentType: 'application/json', signal });
      return { url: `${this.owner.url} (the window that owns the local receiver)`, status: res.status, spanCount: spans.length };
    }
    this.store.add(spans);
    return { url: 'local store', status: 200, spanCount: spans.length };
  }

  /** The owner runs agent tools on its own store (owner protocol 2): a summary crosses, not 100,000 spans. */
  async runTool(name: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer | undefined> {
    if (!this.owner || this.owner.protocol < 2) return undefined;
    const res = await this.owner.client.post('/api/trace-explorer/tool', { body: JSON.stringify({ name, input }), contentType: 'application/json', signal, okStatuses: [400, 422] });
    const v = res.json() as { text?: unknown; data?: unknown; error?: unknown };
    if (typeof v.error === 'string') throw new ToolError(v.error);
    if (typeof v.text !== 'string' || !v.data || typeof v.data !== 'object') throw new Error(`the window that owns the local receiver answered the ${name} tool with something else than an answer`);
    return { text: v.text, data: v.data as Record<string, unknown> };
  }

  /** Clear Local Traces: the owner's store when another window owns it. */
  async clear(clearOwn: () => void): Promise<void> {
    if (this.legacy()) throw new Error('the local receiver belongs to a window running an older Trace Explorer, which cannot clear it from here; clear it in that window');
    if (this.owner) await this.owner.client.post('/api/trace-explorer/clear', { body: '' });
    else clearOwn();
  }

  describe(): string {
    if (this.owner) return `Built-in receiver, owned by another window at ${this.owner.url}: this window shows and sends to that window's store.${this.status ? ` ${this.status}` : ''}`;
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
