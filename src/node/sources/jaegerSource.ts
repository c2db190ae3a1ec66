/**
 * Jaeger's query API (`protocols.md` §3): v1 `/api/services`, `/api/services/{s}/operations`,
 * `/api/traces` (start/end in µs, durations as Go strings, tags as a JSON object; `service` required)
 * and `/api/traces/{id}`; or v3 `/api/v3/…` answering OTLP/JSON. Jaeger takes spans on its OTLP/HTTP
 * receiver (4318), not on the query port.
 */
import { normalizeTraceId } from '../../shared/ids';
import type { Span } from '../../shared/model';
import type { TraceSummaryRow } from '../../shared/store/traceStore';
import type { HttpClient } from '../http/httpClient';
import { goDuration } from '../../shared/time';
import { decodeBody, ingestFormatFor, postSpans, rowsOf } from './sourceCommon';
import { DEFAULT_LIMIT, type IngestResult, type SearchQuery, type TraceSource } from './traceSource';

/** Without a service filter, recent traces are gathered from this many services at most. */
const MAX_SERVICES_SCANNED = 10;
const JAEGER_DEFAULT_LOOKBACK_MS = 48 * 3_600_000;

export class JaegerSource implements TraceSource {
  readonly kind = 'jaeger' as const;

  constructor(
    readonly id: string,
    readonly label: string,
    private readonly http: HttpClient,
    private readonly apiVersion: 'v1' | 'v3' = 'v1',
    private readonly ingestUrl?: string,
    private readonly ingestFormat?: 'otlp-proto' | 'otlp-json' | 'zipkin',
  ) {}

  async listTraces(q: SearchQuery, signal?: AbortSignal): Promise<TraceSummaryRow[]> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    // Jaeger searches one service at a time; with none chosen, ask each (the UI makes you pick one).
    const services = q.service ? [q.service] : (await this.services(signal)).filter((s) => !/^jaeger(-all-in-one|-query)?$/.test(s)).slice(0, MAX_SERVICES_SCANNED);
    const spans: Span[] = [];
    for (const service of services) spans.push(...(await this.search({ ...q, service }, limit, signal)));
    return rowsOf(spans, limit);
  }

  private async search(q: SearchQuery & { service: string }, limit: number, signal?: AbortSignal): Promise<Span[]> {
    const endMs = q.endMs ?? Date.now();
    // No range chosen: Jaeger's own default (the last 48 hours), which v3 must be told explicitly.
    const ranged = q.lookbackMs !== undefined || q.endMs !== undefined;
    const startMs = endMs - (q.lookbackMs ?? JAEGER_DEFAULT_LOOKBACK_MS);
    if (this.apiVersion === 'v3') {
      const res = await this.http.get('/api/v3/traces', {
        query: {
          'query.service_name': q.service,
          'query.operation_name': q.operation,
          'query.start_time_min': new Date(startMs).toISOString(),
          'query.start_time_max': new Date(endMs).toISOString(),
          'query.num_traces': limit,
          'query.duration_min': q.minDurationUs !== undefined ? goDuration(q.minDurationUs) : undefined,
          'query.duration_max': q.maxDurationUs !== undefined ? goDuration(q.maxDurationUs) : undefined,
        },
        signal,
        okStatuses: [404],
      });
      // v3 answers "no traces" with 404.
      return res.status === 404 ? [] : decodeBody(this.label, res, 'the list of traces');
    }
    const res = await this.http.get('/api/traces', {
      query: {
        service: q.service,
        operation: q.operation,
        start: ranged ? startMs * 1000 : undefined,
        end: ranged ? endMs * 1000 : undefined,
        limit,
        minDuration: q.minDurationUs !== undefined ? goDuration(q.minDurationUs) : undefined,
        maxDuration: q.maxDurationUs !== undefined ? goDuration(q.maxDurationUs) : undefined,
        tags: q.tags && Object.keys(q.tags).length ? JSON.stringify(q.tags) : undefined,
      },
      signal,
    });
    const body = res.json() as { data?: unknown[] };
    // `{"data": null}` is Jaeger's "no traces"; anything else is decoded from the value parsed here.
    return body.data?.length ? decodeBody(this.label, res, 'the list of traces', body) : [];
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined> {
    const id = normalizeTraceId(traceId);
    if (!id) return undefined;
    const path = this.apiVersion === 'v3' ? `/api/v3/traces/${id}` : `/api/traces/${id}`;
    const res = await this.http.get(path, { signal, okStatuses: [404] });
    if (res.status === 404) return undefined;
    const spans = decodeBody(this.label, res, `trace ${id}`);
    return spans.length ? spans : undefined;
  }

  async services(signal?: AbortSignal): Promise<string[]> {
    const v3 = this.apiVersion === 'v3';
    const v = (await this.http.get(v3 ? '/api/v3/services' : '/api/services', { signal })).json() as { data?: unknown; services?: unknown };
    const list = v3 ? v.services : v.data;
    return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string').sort() : [];
  }

  async operations(service: string, signal?: AbortSignal): Promise<string[]> {
    if (this.apiVersion === 'v3') {
      const v = (await this.http.get('/api/v3/operations', { query: { service }, signal })).json() as { operations?: Array<{ name?: unknown }> };
      return [...new Set((v.operations ?? []).map((o) => o.name).filter((n): n is string => typeof n === 'string'))].sort();
    }
    const v = (await this.http.get(`/api/services/${encodeURIComponent(service)}/operations`, { signal })).json() as { data?: unknown };
    return Array.isArray(v.data) ? v.data.filter((s): s is string => typeof s === 'string').sort() : [];
  }

  async ingest(spans: readonly Span[], signal?: AbortSignal): Promise<IngestResult> {
    const url = this.ingestUrl ?? defaultOtlpUrl(this.http.baseUrl);
    return postSpans(this.http, url, ingestFormatFor(url, this.ingestFormat), spans, signal);
  }

  describe(): string {
    return `Jaeger (${this.apiVersion} API) at ${this.http.baseUrl}, ingest ${this.ingestUrl ?? defaultOtlpUrl(this.http.baseUrl)}`;
  }

  dispose(): Promise<void> {
    return this.http.close();
  }
}

/** Jaeger's OTLP/HTTP receiver on the query host: port 4318, /v1/traces. */
function defaultOtlpUrl(base: string): string {
  const u = new URL(base);
  u.port = '4318';
  u.pathname = '/v1/traces';
  u.search = '';
  return u.toString();
}
