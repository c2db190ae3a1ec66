/**
 * A Grafana Tempo HTTP API simulator for tests — never shipped. Tempo itself is AGPL-licensed and may
 * not be used here, so this reproduces, from `protocols.md` §1, the behaviours a client can trip on.
 * Each one cites the fact it reproduces:
 *
 * - [search] `/api/search`: TraceQL `q` (the subset below), `limit` (default 20), `start`/`end` in epoch
 *   *seconds*, both or neither, `end <= start` → 400, range > 168h → 400; trace ids in results have
 *   leading zeros trimmed; `spanSets` (+ deprecated `spanSet`), `serviceStats`; a trace without its
 *   root says `<root span not yet received>`.
 * - [traceql] Bad TraceQL → 400 `invalid TraceQL query: parse error at line 1, col N: syntax error: …`.
 *   Valid TraceQL beyond the subset the extension emits → 501 saying the simulator does not support it.
 * - [v1] `/api/traces/{id}`: JSON root `batches`, ids base64, enums as names, zero fields omitted;
 *   missing → 404 with an empty body; > 32 hex chars → 400; non-hex → 400.
 * - [v2] `/api/v2/traces/{id}` (Tempo ≥ 2.6): `{trace:{resourceSpans}}`; missing → 200 `{"trace":{}}`.
 *   With `legacy: true` the route does not exist (404 `404 page not found`, as Go's mux says).
 * - [tenant] With `tenant` set, every request without `X-Scope-OrgID` → 401 `no org id`; other tenants see nothing.
 * - [dedupe] On read, a SERVER span sharing its id with a CLIENT span gets a new id (smallest unused
 *   `000…01`), its parent becomes the shared id, and its same-service children follow it.
 * - [tags] `/api/search/tags`, `/api/v2/search/tags` (scopes), `/api/search/tag/{t}/values`,
 *   `/api/v2/search/tag/{t}/values` (`[{type, value}]`).
 * - [receivers] Zipkin receiver: POST on any path → 202, decode error → 400; OTLP/HTTP `/v1/traces` → 200.
 * - [health] `/ready` → `ready`, `/api/echo` → `echo`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTrace } from '../../src/shared/formats/detect';
import { encodeOtlpJson } from '../../src/shared/formats/otlpJson';
import { bytesToBase64, hexToBytes, normalizeTraceId, traceIdKey, traceIdTo128 } from '../../src/shared/ids';
import { attr, attrText, type Span } from '../../src/shared/model';

export interface TempoSimulatorOptions {
  /** Require this X-Scope-OrgID (multitenancy_enabled). */
  tenant?: string;
  /** An older Tempo (< 2.6) without `/api/v2/traces`. */
  legacy?: boolean;
  /** http_api_prefix, e.g. `/tempo` as on Grafana Cloud. */
  prefix?: string;
}

const KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const MAX_RANGE_S = 168 * 3600;

export class TempoSimulator {
  /** tenant → trace key → spans */
  private readonly data = new Map<string, Map<string, Span[]>>();
  private readonly servers: Server[] = [];
  readonly requests: Array<{ method: string; url: string; tenant?: string; authorization?: string }> = [];
  queryUrl = '';
  zipkinUrl = '';
  otlpUrl = '';

  constructor(private readonly options: TempoSimulatorOptions = {}) {}

  async start(): Promise<this> {
    const listen = async (handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<string> => {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          let body = Buffer.concat(chunks);
          try {
            if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
            handler(req, body, res);
          } catch (e) {
            send(res, 500, `simulator error: ${(e as Error).message}`);
          }
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      this.servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    this.queryUrl = (await listen((req, _b, res) => this.query(req, res))) + (this.options.prefix ?? '');
    this.zipkinUrl = await listen((req, body, res) => this.receive(req, body, res, 'zipkin'));
    this.otlpUrl = await listen((req, body, res) => this.receive(req, body, res, 'otlp'));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.servers) s.closeAllConnections();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }

  /** Put spans straight into the store (as if ingested long ago). */
  add(spans: readonly Span[], tenant = this.options.tenant ?? 'single-tenant'): void {
    let t = this.data.get(tenant);
    if (!t) this.data.set(tenant, (t = new Map()));
    for (const s of spans) {
      const key = traceIdKey(s.traceId);
      const list = t.get(key) ?? [];
      list.push(s);
      t.set(key, list);
    }
  }

  private tenantOf(req: IncomingMessage, res: ServerResponse): string | undefined {
    const org = req.headers['x-scope-orgid'];
    if (this.options.tenant) {
      if (typeof org !== 'string' || !org) {
        send(res, 401, 'no org id'); // [tenant]
        return undefined;
      }
      return org;
    }
    return 'single-tenant';
  }

  private receive(req: IncomingMessage, body: Buffer, res: ServerResponse, kind: 'zipkin' | 'otlp'): void {
    this.requests.push({ method: req.method ?? '', url: req.url ?? '' });
    const tenant = this.tenantOf(req, res);
    if (!tenant) return;
    if (req.method !== 'POST') return send(res, 405, 'method not allowed');
    if (kind === 'otlp' && !(req.url ?? '').startsWith('/v1/traces')) return send(res, 404, '404 page not found');
    try {
      if (body.length) this.add(decodeTrace(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)).spans, tenant);
    } catch (e) {
      return send(res, 400, (e as Error).message);
    }
    if (kind === 'zipkin') return send(res, 202, ''); // [receivers]
    res.setHeader('content-type', String(req.headers['content-type'] ?? 'application/json'));
    send(res, 200, String(req.headers['content-type']).includes('protobuf') ? '' : '{"partialSuccess":{}}');
  }

  private query(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: req.method ?? '', url: url.pathname + url.search, tenant: req.headers['x-scope-orgid'] as string | undefined, authorization: req.headers.authorization });
    const prefix = this.options.prefix ?? '';
    if (!url.pathname.startsWith(prefix)) return send(res, 404, '404 page not found');
    const path = url.pathname.slice(prefix.length);
    if (path === '/ready') return send(res, 200, 'ready\n'); // [health]
    if (path === '/api/echo') return send(res, 200, 'echo\n');
    const tenant = this.tenantOf(req, res);
    if (!tenant) return;
    const traces = this.data.get(tenant) ?? new Map<string, Span[]>();
    const q = url.searchParams;
    if (path === '/api/search') return this.search(traces, q, res);
    if (path === '/api/search/tags') return json(res, { tagNames: [...tagNames(traces, 'span'), ...tagNames(traces, 'resource')].sort(), metrics: {} });
    if (path === '/api/v2/search/tags') {
      return json(res, {
        scopes: [
          { name: 'resource', tags: tagNames(traces, 'resource') },
          { name: 'span', tags: tagNames(traces, 'span') },
          { name: 'intrinsic', tags: ['duration', 'kind', 'name', 'status'] },
        ],
        metrics: {},
      });
    }
    let m = /^\/api(\/v2)?\/search\/tag\/([^/]+)\/values$/.exec(path);
    if (m) {
      const vals = tagValues(traces, decodeURIComponent(m[2]), m[1] ? q.get('q') : null);
      return json(res, { tagValues: m[1] ? vals.map((value) => ({ type: 'string', value })) : vals, metrics: {} });
    }
    m = /^\/api(\/v2)?\/traces\/([^/]+)$/.exec(path);
    if (m) {
      const v2 = !!m[1];
      if (v2 && this.options.legacy) return send(res, 404, '404 page not found'); // [v2]
      const raw = m[2];
      if (raw.length > 32) return send(res, 400, "trace IDs can't be larger than 128 bits"); // [v1]
      const id = normalizeTraceId(raw);
      if (!id) return send(res, 400, `failed to parse trace id: ${raw}`);
      const spans = traces.get(traceIdKey(id));
      if (!spans) return v2 ? json(res, { trace: {}, metrics: {} }) : send(res, 404, '');
      const resourceSpans = tempoJson(dedupeShared(spans));
      return json(res, v2 ? { trace: { resourceSpans }, metrics: { inspectedBytes: '1024' } } : { batches: resourceSpans });
    }
    send(res, 404, '404 page not found');
  }

  private search(traces: Map<string, Span[]>, q: URLSearchParams, res: ServerResponse): void {
    const start = q.get('start');
    const end = q.get('end');
    let window: [number, number] | undefined;
    if (start !== null || end !== null) {
      const s = Number(start ?? 0);
      const e = Number(end ?? 0);
      if (!(e > s)) return send(res, 400, `http parameter start must be before end. received start=${start} end=${end}`); // [search]
      if (e - s > MAX_RANGE_S) return send(res, 400, `range specified by start and end exceeds 168h0m0s. received start=${start} end=${end}`);
      window = [s * 1e6, e * 1e6];
    }
    let filter: SpanFilter;
    try {
      filter = parseTraceQL(q.get('q') ?? '{}');
    } catch (e) {
      if (e instanceof Unsupported) return send(res, 501, `tempo simulator: ${e.message}; it supports { cond && cond }, with cond one of name/status/duration/.attr/span.attr/resource.attr compared to a literal`);
      return send(res, 400, `invalid TraceQL query: ${(e as Error).message}`); // [traceql]
    }
    const limit = Number(q.get('limit') ?? 20) || 20;
    const rows: unknown[] = [];
    const ordered = [...traces.values()].map((spans) => ({ spans, start: Math.min(...spans.map((s) => s.startUs)) })).sort((a, b) => b.start - a.start);
    for (const { spans, start: t0 } of ordered) {
      const t1 = Math.max(...spans.map((s) => s.startUs + s.durationUs));
      if (window && (t1 < window[0] || t0 > window[1])) continue;
      const matched = spans.filter(filter);
      if (!matched.length) continue;
      const ids = new Set(spans.map((s) => s.spanId));
      const root = spans.find((s) => !s.parentId || !ids.has(s.parentId));
      const stats: Record<string, { spanCount: number; errorCount?: number }> = {};
      for (const s of spans) {
        const st = (stats[s.service] ??= { spanCount: 0 });
        st.spanCount++;
        if (s.status.code === 'error') st.errorCount = (st.errorCount ?? 0) + 1;
      }
      const set = {
        spans: matched.slice(0, 3).map((s) => ({ spanID: s.spanId, name: s.name, startTimeUnixNano: `${s.startUs}000`, durationNanos: `${s.durationUs}000`, attributes: [{ key: 'service.name', value: { stringValue: s.service } }] })),
        matched: matched.length,
      };
      const row: Record<string, unknown> = {
        traceID: traceIdTo128(spans[0].traceId).replace(/^0+/, ''), // [search] leading zeros trimmed
        rootServiceName: root?.parentId === undefined && root ? root.service : '<root span not yet received>',
        startTimeUnixNano: `${t0}000`,
        durationMs: Math.round((t1 - t0) / 1000),
        spanSet: set,
        spanSets: [set],
        serviceStats: stats,
      };
      if (root && root.parentId === undefined) row.rootTraceName = root.name;
      rows.push(row);
      if (rows.length >= limit) break;
    }
    json(res, { traces: rows, metrics: { inspectedBytes: '292781', totalBlocks: 1, completedJobs: 1, totalJobs: 1 } });
  }
}

type SpanFilter = (s: Span) => boolean;
class Unsupported extends Error {}

/**
 * The TraceQL the extension emits: `{}` or `{ c && c && … }`, where c is `lhs op literal`; lhs is
 * `name`, `status`, `kind`, `duration`, `.attr`, `span.attr` or `resource.attr`; op is = != > >= < <= =~.
 */
export function parseTraceQL(text: string): SpanFilter {
  const src = text.trim();
  const col = (i: number): number => text.indexOf(src) + i + 1;
  if (!src.startsWith('{')) throw new Error(`parse error at line 1, col ${col(0)}: syntax error: unexpected ${JSON.stringify(src.slice(0, 1) || 'EOF')}`);
  const close = matchingBrace(src);
  if (close < 0) throw new Error(`parse error at line 1, col ${col(src.length)}: syntax error: unexpected $end`);
  if (src.slice(close + 1).trim()) throw new Unsupported(`pipelines and spanset operators ("${src.slice(close + 1).trim()}") are not supported`);
  const body = src.slice(1, close).trim();
  if (!body) return () => true;
  if (/\|\||\(|\)/.test(body)) throw new Unsupported('|| and parentheses are not supported');
  const conds = body.split('&&').map((c) => c.trim());
  const filters = conds.map((c) => {
    const m = /^(name|status|kind|duration|\.[\w.-]+|span\.[\w.-]+|resource\.[\w.-]+)\s*(=~|!=|>=|<=|=|>|<)\s*(".*"|[\w.]+)$/.exec(c);
    if (!m) throw new Error(`parse error at line 1, col ${col(src.indexOf(c))}: syntax error: unexpected IDENTIFIER`);
    const [, lhs, op, rawValue] = m;
    const value = rawValue.startsWith('"') ? (JSON.parse(rawValue) as string) : rawValue;
    return (s: Span): boolean => compare(lhsValue(s, lhs), op, value);
  });
  return (s) => filters.every((f) => f(s));
}

function matchingBrace(s: string): number {
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function lhsValue(s: Span, lhs: string): string | number | undefined {
  if (lhs === 'name') return s.name;
  if (lhs === 'status') return s.status.code;
  if (lhs === 'kind') return s.kind;
  if (lhs === 'duration') return s.durationUs;
  if (lhs === 'resource.service.name') return s.service;
  const key = lhs.replace(/^(span|resource)?\./, '');
  const v = lhs.startsWith('resource.') ? attr(s.resource, key) : lhs.startsWith('span.') ? attr(s.attributes, key) : (attr(s.attributes, key) ?? attr(s.resource, key));
  return v === undefined ? undefined : typeof v === 'number' ? v : attrText(v);
}

function compare(actual: string | number | undefined, op: string, literal: string): boolean {
  if (actual === undefined) return false;
  const durUs = parseGoDuration(literal);
  const b: string | number = typeof actual === 'number' ? (durUs ?? Number(literal)) : literal;
  switch (op) {
    case '=':
      return actual === b;
    case '!=':
      return actual !== b;
    case '=~':
      return new RegExp(`^(?:${literal})$`).test(String(actual));
    case '>':
      return actual > b;
    case '>=':
      return actual >= b;
    case '<':
      return actual < b;
    default:
      return actual <= b;
  }
}

function parseGoDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(s);
  if (!m) return undefined;
  const mult: Record<string, number> = { ns: 0.001, us: 1, µs: 1, ms: 1e3, s: 1e6, m: 6e7, h: 3.6e9 };
  return Number(m[1]) * mult[m[2]];
}

/** [dedupe] Tempo's read-path deduper for Zipkin shared span ids. */
function dedupeShared(spans: readonly Span[]): Span[] {
  const clients = new Set(spans.filter((s) => s.kind === 'client').map((s) => s.spanId));
  const used = new Set(spans.map((s) => s.spanId));
  let next = 1;
  const fresh = (): string => {
    let id: string;
    do id = (next++).toString(16).padStart(16, '0');
    while (used.has(id));
    used.add(id);
    return id;
  };
  const out = spans.map((s) => ({ ...s }));
  for (const s of out) {
    if (s.kind !== 'server' || !clients.has(s.spanId)) continue;
    const shared = s.spanId;
    s.spanId = fresh();
    s.parentId = shared;
    for (const c of out) if (c !== s && c.parentId === shared && c.service === s.service && c.kind !== 'client') c.parentId = s.spanId;
  }
  return out;
}

/** [v1] Tempo's trace JSON: OTLP-shaped, ids base64, enums as names, zero values omitted. */
function tempoJson(spans: readonly Span[]): unknown[] {
  const doc = encodeOtlpJson(spans);
  return doc.resourceSpans.map((rs) => ({
    resource: rs.resource,
    scopeSpans: rs.scopeSpans.map((ss) => ({
      scope: ss.scope,
      spans: ss.spans.map((sp) => {
        const out: Record<string, unknown> = {
          traceId: bytesToBase64(hexToBytes(sp.traceId)),
          spanId: bytesToBase64(hexToBytes(sp.spanId)),
          name: sp.name,
          startTimeUnixNano: sp.startTimeUnixNano,
          endTimeUnixNano: sp.endTimeUnixNano,
        };
        if (sp.parentSpanId) out.parentSpanId = bytesToBase64(hexToBytes(sp.parentSpanId));
        if (sp.kind) out.kind = KIND_NAMES[sp.kind];
        if (sp.attributes.length) out.attributes = sp.attributes;
        if (sp.events.length) out.events = sp.events;
        if (sp.links.length) out.links = sp.links.map((l) => ({ ...l, traceId: bytesToBase64(hexToBytes(l.traceId)), spanId: bytesToBase64(hexToBytes(l.spanId)) }));
        out.status = sp.status.code ? { code: STATUS_NAMES[sp.status.code], ...(sp.status.message ? { message: sp.status.message } : {}) } : {};
        return out;
      }),
    })),
  }));
}

function tagNames(traces: Map<string, Span[]>, scope: 'span' | 'resource'): string[] {
  const set = new Set<string>();
  for (const spans of traces.values()) for (const s of spans) for (const a of scope === 'span' ? s.attributes : s.resource) set.add(a.key);
  return [...set].sort();
}

function tagValues(traces: Map<string, Span[]>, tag: string, q: string | null): string[] {
  let filter: SpanFilter = () => true;
  try {
    if (q) filter = parseTraceQL(q);
  } catch {
    // [tags] an invalid q is ignored: the full list comes back
  }
  const set = new Set<string>();
  for (const spans of traces.values()) {
    for (const s of spans) {
      if (!filter(s)) continue;
      const v = lhsValue(s, tag.startsWith('.') || /^(span|resource)\./.test(tag) || ['name', 'status', 'kind'].includes(tag) ? tag : `.${tag}`);
      if (v !== undefined && v !== '') set.add(String(v));
    }
  }
  return [...set].sort();
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  if (!res.hasHeader('content-type')) res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(body);
}

function json(res: ServerResponse, v: unknown): void {
  res.setHeader('content-type', 'application/json');
  send(res, 200, JSON.stringify(v));
}
