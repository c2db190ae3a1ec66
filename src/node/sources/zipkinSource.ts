/**
 * Zipkin's v2 API (`protocols.md` §2): `/api/v2/services`, `/spans?serviceName=` (span names),
 * `/traces` (durations in µs, `endTs`/`lookback` in ms), `/trace/{id}` (404 = not found), and
 * `POST /api/v2/spans` to ingest. The built-in local receiver answers the same API.
 */
import { normalizeTraceId } from '../../shared/ids';
import type { Span } from '../../shared/model';
import type { TraceSummaryRow } from '../../shared/store/traceStore';
import type { HttpClient } from '../http/httpClient';
import { decodeBody, postSpans, rowsOf, withDefaultPath } from './sourceCommon';
import { DEFAULT_LIMIT, type IngestResult, type SearchQuery, type TraceSource } from './traceSource';

export class ZipkinSource implements TraceSource {
  readonly kind = 'zipkin' as const;

  constructor(
    readonly id: string,
    readonly label: string,
    private readonly http: HttpClient,
    private readonly ingestUrl?: string,
  ) {}

  async listTraces(q: SearchQuery, signal?: AbortSignal): Promise<TraceSummaryRow[]> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const res = await this.http.get('/api/v2/traces', { query: zipkinQuery(q, limit), signal });
    const body = res.json();
    if (!Array.isArray(body)) return [];
    // A list of traces, each a list of spans: flatten and decode once, then group again.
    const spans = decodeBody(this.label, res, 'the list of traces', body.flat());
    return rowsOf(spans, limit);
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined> {
    const id = normalizeTraceId(traceId);
    if (!id) return undefined;
    const res = await this.http.get(`/api/v2/trace/${id}`, { signal, okStatuses: [404] });
    if (res.status === 404) return undefined;
    const spans = decodeBody(this.label, res, `trace ${id}`);
    return spans.length ? spans : undefined;
  }

  async services(signal?: AbortSignal): Promise<string[]> {
    return strings(await this.http.get('/api/v2/services', { signal }));
  }

  async operations(service: string, signal?: AbortSignal): Promise<string[]> {
    return strings(await this.http.get('/api/v2/spans', { query: { serviceName: service }, signal }));
  }

  async tagNames(signal?: AbortSignal): Promise<string[]> {
    return strings(await this.http.get('/api/v2/autocompleteKeys', { signal }));
  }

  async tagValues(tag: string, signal?: AbortSignal): Promise<string[]> {
    return strings(await this.http.get('/api/v2/autocompleteValues', { query: { key: tag }, signal }));
  }

  async ingest(spans: readonly Span[], signal?: AbortSignal): Promise<IngestResult> {
    const url = this.ingestUrl ? withDefaultPath(this.ingestUrl, '/api/v2/spans') : this.http.url('/api/v2/spans').toString();
    return postSpans(this.http, url, 'zipkin', spans, signal);
  }

  describe(): string {
    return `Zipkin at ${this.http.baseUrl}`;
  }

  dispose(): Promise<void> {
    return this.http.close();
  }
}

/** The query parameters of `/api/v2/traces`, in Zipkin's units. Zipkin lowercases names on ingest, so we do too. */
export function zipkinQuery(q: SearchQuery, limit: number): Record<string, string | number | undefined> {
  const terms = Object.entries(q.tags ?? {}).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  return {
    serviceName: q.service?.toLowerCase(),
    spanName: q.operation?.toLowerCase(),
    // Zipkin reads maxDuration only together with a positive minDuration.
    minDuration: q.minDurationUs !== undefined ? Math.max(1, Math.round(q.minDurationUs)) : q.maxDurationUs !== undefined ? 1 : undefined,
    maxDuration: q.maxDurationUs !== undefined ? Math.round(q.maxDurationUs) : undefined,
    annotationQuery: terms.length ? terms.join(' and ') : undefined,
    // No range chosen: the server's QUERY_LOOKBACK (a day by default) back from now.
    endTs: q.endMs,
    lookback: q.lookbackMs,
    limit,
  };
}

function strings(res: { json(): unknown }): string[] {
  const v = res.json();
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
