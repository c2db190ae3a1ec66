/**
 * Grafana Tempo's HTTP API (`protocols.md` §1): `/api/search` with TraceQL `q` and `start`/`end` in
 * epoch seconds; trace by id through `/api/v2/traces/{id}` (200 with an empty trace = not found, and
 * `"status": "PARTIAL"` for an incomplete one) with a fallback to `/api/traces/{id}` on Tempo older than
 * 2.6; typed tag names and values for suggestions; and ingest through a separately configured receiver
 * (Zipkin 9411 or OTLP/HTTP 4318), since the query port takes no spans.
 */
import { isObject } from '../../shared/formats/common';
import { normalizeTraceId } from '../../shared/ids';
import type { Span } from '../../shared/model';
import { quoteTraceQL, scopedTagName, traceqlOf, withoutHints, type TempoValueType } from '../../shared/query/traceql';
import type { TraceSummaryRow } from '../../shared/store/traceStore';
import { nanosToMicros } from '../../shared/time';
import { BackendError, bodyExcerpt } from '../http/backendError';
import type { HttpClient, HttpResponse } from '../http/httpClient';
import { decodeBody, ingestFormatFor, postSpans } from './sourceCommon';
import { DEFAULT_LIMIT, DEFAULT_LOOKBACK_MS, type FetchedTrace, type IngestResult, type SearchQuery, type TraceSource } from './traceSource';

const ROOT_NOT_RECEIVED = '<root span not yet received>';
const MAX_RANGE_S = 168 * 3600;

export interface TypedValue {
  type: TempoValueType | string;
  value: string;
}

export class TempoSource implements TraceSource {
  readonly kind = 'tempo' as const;
  /** Learned on the first trace-by-id: false once the server showed it has no v2 route. */
  private hasV2 = true;
  /** Learned on the first search: false on a Tempo older than TraceQL query hints (`with (…)`). */
  private hasHints = true;

  constructor(
    readonly id: string,
    readonly label: string,
    private readonly http: HttpClient,
    private readonly ingestUrl?: string,
    private readonly ingestFormat?: 'otlp-proto' | 'otlp-json' | 'zipkin',
  ) {}

  /**
   * The TraceQL a search sends: the user's own, else one built from the filters with the
   * `most_recent=true` hint — without it Tempo returns the first traces it finds, not the newest.
   */
  queryText(q: SearchQuery): string {
    const own = q.traceql?.trim();
    if (own) return own;
    return traceqlOf(q, { mostRecent: this.hasHints });
  }

  async listTraces(q: SearchQuery, signal?: AbortSignal): Promise<TraceSummaryRow[]> {
    // No range chosen: Tempo's own default, the recent data not yet flushed from its ingesters. A range
    // is at most 168h (Tempo's max_duration).
    let range: { start?: number; end?: number } = {};
    if (q.lookbackMs !== undefined || q.endMs !== undefined) {
      const end = Math.ceil((q.endMs ?? Date.now()) / 1000);
      range = { start: end - Math.min(Math.ceil((q.lookbackMs ?? DEFAULT_LOOKBACK_MS) / 1000), MAX_RANGE_S), end };
    }
    const search = (query: string): Promise<HttpResponse> => this.http.get('/api/search', { query: { q: query, limit: q.limit ?? DEFAULT_LIMIT, ...range }, signal, okStatuses: [400] });
    const query = this.queryText(q);
    let res = await search(query);
    if (res.status === 400 && query !== withoutHints(query) && !q.traceql?.trim() && /syntax error/i.test(res.text())) {
      // A Tempo older than query hints: ask without, and remember (its answer is then the first found).
      this.hasHints = false;
      res = await search(withoutHints(query));
    }
    if (res.status === 400) throw new BackendError('http', this.label, res.url, `HTTP 400: ${bodyExcerpt(res.text())}`, q.traceql ? 'Check the TraceQL query' : undefined, 400);
    const body = res.json();
    // An empty result omits the key (Tempo's JSON leaves out empty lists).
    const traces = isObject(body) && Array.isArray(body.traces) ? body.traces : [];
    return traces.flatMap((t) => (isObject(t) ? searchRow(t) : [])).sort((a, b) => b.startUs - a.startUs);
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined> {
    return (await this.fetchTrace(traceId, signal))?.spans;
  }

  /**
   * The trace, and whether Tempo said it is incomplete: v2 answers `"status": "PARTIAL"` with a message
   * (over the size limit, for example). v2 answers a missing trace with 200 and an empty trace; v1 with
   * a 404 with an empty body. A 404 with a body is a route that does not exist: on v2 that is a Tempo
   * older than 2.6 (v1 then answers), on v1 as well a wrong base URL or a missing path prefix.
   */
  async fetchTrace(traceId: string, signal?: AbortSignal): Promise<FetchedTrace | undefined> {
    const id = normalizeTraceId(traceId);
    if (!id) return undefined;
    if (this.hasV2) {
      const res = await this.http.get(`/api/v2/traces/${id}`, { signal, okStatuses: [404] });
      if (res.status === 200) {
        const body = res.json();
        const spans = decodeBody(this.label, res, `trace ${id}`, body);
        if (!spans.length) return undefined; // grafana/tempo#3892
        if (!isObject(body) || body.status !== 'PARTIAL') return { spans };
        return { spans, incomplete: typeof body.message === 'string' && body.message ? body.message : 'Tempo returned part of the trace' };
      }
      if (!res.text().trim()) return undefined;
      // No v2 route: an older Tempo, if v1 answers; else the URL is wrong, and v2 stays the choice.
      const v1 = await this.v1(id, signal);
      if (v1 === 'no-route') throw this.noRoute(res.url);
      this.hasV2 = false;
      return v1;
    }
    const v1 = await this.v1(id, signal);
    if (v1 === 'no-route') throw this.noRoute(`${this.http.baseUrl.replace(/\/+$/, '')}/api/traces/${id}`);
    return v1;
  }

  private async v1(id: string, signal?: AbortSignal): Promise<FetchedTrace | undefined | 'no-route'> {
    const res = await this.http.get(`/api/traces/${id}`, { signal, okStatuses: [404, 422] });
    if (res.status === 404) return res.text().trim() ? 'no-route' : undefined;
    if (res.status === 422) {
      throw new BackendError('http', this.label, res.url, `HTTP 422: ${bodyExcerpt(res.text())}`, 'The trace is larger than this Tempo returns (max_bytes_per_trace); Tempo 2.6 and later return part of it', 422);
    }
    const spans = decodeBody(this.label, res, `trace ${id}`);
    return spans.length ? { spans } : undefined;
  }

  private noRoute(url: string): BackendError {
    return new BackendError(
      'http',
      this.label,
      url,
      'HTTP 404 "404 page not found": no Tempo trace API answers at this URL',
      'Check the endpoint URL and its path prefix (a Tempo behind a gateway often needs one; Grafana Cloud uses /tempo). A missing trace would be a 404 without a body',
      404,
    );
  }

  async services(signal?: AbortSignal): Promise<string[]> {
    return this.tagValues('resource.service.name', signal);
  }

  async operations(service: string, signal?: AbortSignal): Promise<string[]> {
    const res = await this.http.get('/api/v2/search/tag/name/values', { query: { q: `{ resource.service.name = ${quoteTraceQL(service)} }` }, signal });
    return typedValues(res.json()).map((v) => v.value);
  }

  /** Tag names of every scope Tempo lists (resource, span, event, link, instrumentation, intrinsic): intrinsics bare. */
  async tagNames(signal?: AbortSignal): Promise<string[]> {
    const v = (await this.http.get('/api/v2/search/tags', { signal })).json() as { scopes?: Array<{ name?: string; tags?: unknown[] }> };
    const out = new Set<string>();
    for (const scope of v.scopes ?? []) {
      for (const tag of scope.tags ?? []) if (typeof tag === 'string' && scope.name) out.add(scopedTagName(scope.name, tag));
    }
    return [...out].sort();
  }

  async tagValues(tag: string, signal?: AbortSignal): Promise<string[]> {
    return (await this.typedTagValues(tag, signal)).map((v) => v.value);
  }

  /** Values with the type Tempo gives each (string, int, float, bool, duration, keyword). */
  async typedTagValues(tag: string, signal?: AbortSignal): Promise<TypedValue[]> {
    return typedValues((await this.http.get(`/api/v2/search/tag/${encodeURIComponent(tag)}/values`, { signal })).json());
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

/**
 * One search result as Tempo writes it: `traceID` with leading zeros trimmed; `startTimeUnixNano` a
 * string; `durationMs` floored, and absent under 1 ms (zero fields are omitted); `serviceStats`, else
 * the matched spans of `spanSets` (or the deprecated `spanSet`); `<root span not yet received>`.
 */
function searchRow(t: Record<string, unknown>): TraceSummaryRow[] {
  // Tempo's ids are 128-bit; search trims their leading zeros, so pad back to 32 digits.
  const id = typeof t.traceID === 'string' ? normalizeTraceId(t.traceID.padStart(32, '0')) : null;
  if (!id) return [];
  const missing: NonNullable<TraceSummaryRow['missing']> = [];
  const stats = isObject(t.serviceStats) ? t.serviceStats : undefined;
  let spanCount = 0;
  let errorCount = 0;
  for (const v of Object.values(stats ?? {})) {
    if (!isObject(v)) continue;
    spanCount += Number(v.spanCount ?? 0) || 0;
    errorCount += Number(v.errorCount ?? 0) || 0;
  }
  // Without serviceStats (older Tempo), the matched spans are the best count there is; errors unknown.
  if (!stats) {
    const sets = Array.isArray(t.spanSets) ? t.spanSets : isObject(t.spanSet) ? [t.spanSet] : [];
    spanCount = sets.reduce((n: number, s) => n + (isObject(s) ? Number(s.matched ?? (Array.isArray(s.spans) ? s.spans.length : 0)) || 0 : 0), 0);
    missing.push('spanCount', 'errorCount');
  }
  const rootReceived = typeof t.rootServiceName === 'string' && t.rootServiceName !== ROOT_NOT_RECEIVED;
  if (!rootReceived) missing.push('rootService', 'rootName');
  if (t.durationMs === undefined) missing.push('durationUs'); // under 1 ms: Tempo omits a zero
  return [
    {
      traceId: id,
      rootService: rootReceived ? (t.rootServiceName as string) : '',
      rootName: rootReceived && typeof t.rootTraceName === 'string' ? t.rootTraceName : '',
      startUs: nanosToMicros(typeof t.startTimeUnixNano === 'string' ? t.startTimeUnixNano : undefined) || 0,
      durationUs: (Number(t.durationMs ?? 0) || 0) * 1000,
      spanCount,
      errorCount,
      services: Object.keys(stats ?? {}).sort(),
      updatedMs: 0,
      ...(missing.length ? { missing } : {}),
    },
  ];
}

/** Tag values from v2 (`[{type, value}]`) or v1 (`["a"]`, all strings). */
function typedValues(v: unknown): TypedValue[] {
  const list = isObject(v) && Array.isArray(v.tagValues) ? v.tagValues : [];
  const out: TypedValue[] = [];
  for (const x of list) {
    if (typeof x === 'string' && x) out.push({ type: 'string', value: x });
    else if (isObject(x) && typeof x.value === 'string' && x.value) out.push({ type: typeof x.type === 'string' ? x.type : 'string', value: x.value });
  }
  return out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
