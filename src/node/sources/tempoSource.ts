/**
 * Grafana Tempo's HTTP API (`protocols.md` §1): `/api/search` with TraceQL `q` and `start`/`end` in
 * epoch seconds; trace by id through `/api/v2/traces/{id}` (200 with an empty trace = not found) with a
 * fallback to `/api/traces/{id}` on Tempo older than 2.6; tag names and values for suggestions; and
 * ingest through a separately configured receiver (Zipkin 9411 or OTLP/HTTP 4318), since the query
 * port takes no spans.
 */
import { normalizeTraceId } from '../../shared/ids';
import type { Span } from '../../shared/model';
import type { TraceSummaryRow } from '../../shared/store/traceStore';
import { nanosToMicros } from '../../shared/time';
import { BackendError } from '../http/backendError';
import type { HttpClient } from '../http/httpClient';
import { isObject } from '../../shared/formats/common';
import { decodeBody, goDuration, ingestFormatFor, postSpans } from './sourceCommon';
import { DEFAULT_LIMIT, DEFAULT_LOOKBACK_MS, type IngestResult, type SearchQuery, type TraceSource } from './traceSource';

const ROOT_NOT_RECEIVED = '<root span not yet received>';
const MAX_RANGE_S = 168 * 3600;

export class TempoSource implements TraceSource {
  readonly kind = 'tempo' as const;
  /** Learned on the first trace-by-id: false once the server showed it has no v2 route. */
  private hasV2 = true;

  constructor(
    readonly id: string,
    readonly label: string,
    private readonly http: HttpClient,
    private readonly ingestUrl?: string,
    private readonly ingestFormat?: 'otlp-proto' | 'otlp-json' | 'zipkin',
  ) {}

  async listTraces(q: SearchQuery, signal?: AbortSignal): Promise<TraceSummaryRow[]> {
    // No range chosen: Tempo's own default, the recent data in its ingesters. A range is at most 168h (Tempo's max_duration).
    let range: { start?: number; end?: number } = {};
    if (q.lookbackMs !== undefined || q.endMs !== undefined) {
      const end = Math.ceil((q.endMs ?? Date.now()) / 1000);
      range = { start: end - Math.min(Math.ceil((q.lookbackMs ?? DEFAULT_LOOKBACK_MS) / 1000), MAX_RANGE_S), end };
    }
    const res = await this.http.get('/api/search', {
      query: { q: q.traceql?.trim() || traceqlOf(q), limit: q.limit ?? DEFAULT_LIMIT, ...range },
      signal,
    });
    const body = res.json() as { traces?: unknown };
    if (!Array.isArray(body.traces)) return [];
    return body.traces.flatMap((t) => (isObject(t) ? searchRow(t) : []));
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined> {
    const id = normalizeTraceId(traceId);
    if (!id) return undefined;
    if (this.hasV2) {
      const res = await this.http.get(`/api/v2/traces/${id}`, { signal, okStatuses: [404] });
      if (res.status === 200) {
        // Tempo's v2 answers a missing trace with 200 and an empty trace (grafana/tempo#3892): no spans.
        const spans = decodeBody(this.label, res, `trace ${id}`);
        return spans.length ? spans : undefined;
      }
      // A 404 with a body is an old Tempo without the route; v1 answers a missing trace with an empty 404.
      if (!res.text().trim()) return undefined;
      this.hasV2 = false;
    }
    const res = await this.http.get(`/api/traces/${id}`, { signal, okStatuses: [404] });
    if (res.status === 404) return undefined;
    const spans = decodeBody(this.label, res, `trace ${id}`);
    return spans.length ? spans : undefined;
  }

  async services(signal?: AbortSignal): Promise<string[]> {
    return this.tagValues('resource.service.name', signal);
  }

  async operations(service: string, signal?: AbortSignal): Promise<string[]> {
    const res = await this.http.get('/api/v2/search/tag/name/values', { query: { q: `{ resource.service.name = ${quote(service)} }` }, signal });
    return values(res.json());
  }

  async tagNames(signal?: AbortSignal): Promise<string[]> {
    const v = (await this.http.get('/api/v2/search/tags', { signal })).json() as { scopes?: Array<{ name?: string; tags?: unknown[] }> };
    const out: string[] = [];
    for (const scope of v.scopes ?? []) {
      for (const tag of scope.tags ?? []) if (typeof tag === 'string') out.push(scope.name === 'intrinsic' ? tag : `${scope.name}.${tag}`);
    }
    return out.sort();
  }

  async tagValues(tag: string, signal?: AbortSignal): Promise<string[]> {
    return values((await this.http.get(`/api/v2/search/tag/${encodeURIComponent(tag)}/values`, { signal })).json());
  }

  async ingest(spans: readonly Span[], signal?: AbortSignal): Promise<IngestResult> {
    if (!this.ingestUrl) {
      throw new BackendError('config', this.label, this.http.baseUrl, 'Tempo takes spans on its receivers, not on the query port', 'Set "ingestUrl" on the endpoint, e.g. http://localhost:9411/api/v2/spans (Zipkin) or http://localhost:4318/v1/traces (OTLP)');
    }
    return postSpans(this.http, this.ingestUrl, ingestFormatFor(this.ingestUrl, this.ingestFormat), spans, signal);
  }

  describe(): string {
    return `Tempo at ${this.http.baseUrl}${this.ingestUrl ? `, ingest ${this.ingestUrl}` : ''}`;
  }

  dispose(): Promise<void> {
    return this.http.close();
  }
}

/** The TraceQL for the simple filters: one spanset, conditions joined by &&. `{}` matches everything. */
export function traceqlOf(q: SearchQuery): string {
  const c: string[] = [];
  if (q.service) c.push(`resource.service.name = ${quote(q.service)}`);
  if (q.operation) c.push(`name = ${quote(q.operation)}`);
  if (q.minDurationUs !== undefined) c.push(`duration >= ${goDuration(q.minDurationUs)}`);
  if (q.maxDurationUs !== undefined) c.push(`duration <= ${goDuration(q.maxDurationUs)}`);
  for (const [k, v] of Object.entries(q.tags ?? {})) c.push(`${/^(span|resource)\./.test(k) ? k : `.${k}`} = ${quote(v)}`);
  return c.length ? `{ ${c.join(' && ')} }` : '{}';
}

/** A TraceQL string literal: double quotes, backslash escapes. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function searchRow(t: Record<string, unknown>): TraceSummaryRow[] {
  // Tempo's ids are 128-bit; search trims their leading zeros, so pad back to 32 digits.
  const id = typeof t.traceID === 'string' ? normalizeTraceId(t.traceID.padStart(32, '0')) : null;
  if (!id) return [];
  const stats = isObject(t.serviceStats) ? t.serviceStats : {};
  let spanCount = 0;
  let errorCount = 0;
  for (const v of Object.values(stats)) {
    if (!isObject(v)) continue;
    spanCount += Number(v.spanCount ?? 0) || 0;
    errorCount += Number(v.errorCount ?? 0) || 0;
  }
  // Without serviceStats (older Tempo), the matched spans are the best count there is.
  if (!spanCount) {
    const sets = Array.isArray(t.spanSets) ? t.spanSets : isObject(t.spanSet) ? [t.spanSet] : [];
    spanCount = sets.reduce((n: number, s) => n + (isObject(s) && Array.isArray(s.spans) ? s.spans.length : 0), 0);
  }
  const rootService = typeof t.rootServiceName === 'string' && t.rootServiceName !== ROOT_NOT_RECEIVED ? t.rootServiceName : '';
  return [
    {
      traceId: id,
      rootService,
      rootName: typeof t.rootTraceName === 'string' ? t.rootTraceName : '',
      startUs: nanosToMicros(t.startTimeUnixNano as string | undefined) || 0,
      durationUs: (Number(t.durationMs ?? 0) || 0) * 1000,
      spanCount,
      errorCount,
      services: Object.keys(stats).sort(),
      updatedMs: 0,
    },
  ];
}

/** Tag values from v2 (`[{type, value}]`) or v1 (`["a"]`). */
function values(v: unknown): string[] {
  const list = isObject(v) && Array.isArray(v.tagValues) ? v.tagValues : [];
  return list.map((x) => (typeof x === 'string' ? x : isObject(x) && typeof x.value === 'string' ? x.value : '')).filter(Boolean).sort();
}
