/**
 * A Grafana Tempo HTTP API simulator for tests — never shipped. Tempo itself is AGPL-licensed and may
 * not be used here, so this reproduces, from `protocols.md` §1, the behaviours a client can trip on.
 * Each one cites the fact it reproduces:
 *
 * - [search] `/api/search`: TraceQL `q` (the subset below), `limit` (default 20), `start`/`end` in epoch
 *   *seconds*, both or neither, `end <= start` → 400, range > 168h → 400; trace ids in results have
 *   leading zeros trimmed; `spanSets` (+ deprecated `spanSet`), `serviceStats`; a trace without its
 *   root says `<root span not yet received>` and has no `rootTraceName`. Zero fields are omitted
 *   (gogo-jsonpb): `durationMs` (floored ms) is absent under 1 ms, `traces` is absent when none match.
 * - [params] Bad parameters → 400 with the api package's texts: `invalid limit: strconv.Atoi: parsing
 *   "x": invalid syntax`, `invalid limit: must be a positive number`, `invalid start: strconv.ParseInt: …`,
 *   `invalid spss: …`, `spans per span set exceeds 100. received N`.
 * - [first-n] Without the `most_recent=true` query hint Tempo returns the first N matching traces it
 *   finds (grafana/tempo#2476: "It simply returns the first matching traces it finds"), here the oldest
 *   stored first; with `with (most_recent=true)` the N newest. Results are listed newest first.
 * - [traceql] Bad TraceQL → 400 `invalid TraceQL query: parse error at line 1, col N: syntax error: …`.
 *   Valid TraceQL beyond the subset the extension emits → 501 saying the simulator does not support it.
 * - [typed] TraceQL compares typed values: `"500"` (a string) never equals the integer 500, `true` only
 *   a boolean, a number only a number. Intrinsics are bare (`status = error`, `kind = server`,
 *   `duration > 100ms`, `name`, `statusMessage`, `event:name`, `trace:rootService`, `span:*`, …); an
 *   intrinsic compared with a literal of another type is refused at parse time with 400 `binary
 *   operations must operate on the same type`; `.status` is an attribute look-up (no match).
 *   Scopes: `resource.`, `span.`, `event.`, `link.`, `instrumentation.`, and unscoped `.x` (span, then
 *   resource).
 * - [partial] With `maxSpansPerTrace`, a larger trace comes back from v2 cut, with `"status":"PARTIAL"`
 *   and a message; v1 answers 422.
 * - [v1] `/api/traces/{id}`: JSON root `batches`, ids base64, enums as names, zero fields omitted;
 *   missing → 404 with an empty body; > 32 hex chars → 400; non-hex → 400.
 * - [v2] `/api/v2/traces/{id}` (Tempo ≥ 2.6): `{trace:{resourceSpans}}`; missing → 200 `{"trace":{}}`.
 *   With `legacy: true` the route does not exist (404 `404 page not found`, as Go's mux says).
 * - [tenant] With `tenant` set, every request without `X-Scope-OrgID` → 401 `no org id`; other tenants see nothing.
 * - [dedupe] On read, a SERVER span sharing its id with a CLIENT span gets a new id (smallest unused
 *   `000…01`), its parent becomes the shared id, and its same-service children follow it.
 * - [tags] `/api/search/tags`, `/api/v2/search/tags` (scopes resource, span, event, link,
 *   instrumentation, intrinsic), `/api/search/tag/{t}/values` (strings), `/api/v2/search/tag/{t}/values`
 *   (`[{type, value}]`, typed: string, int, float, bool, keyword for status and kind).
 * - [receivers] Zipkin receiver: POST on any path → 202, decode error → 400; OTLP/HTTP `/v1/traces` → 200.
 * - [health] `/ready` → `ready`, `/api/echo` → `echo`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTrace } from '../../src/shared/formats/detect';
import { encodeOtlpJson } from '../../src/shared/formats/otlpJson';
import { bytesToBase64, hexToBytes, normalizeTraceId, traceIdKey, traceIdTo128 } from '../../src/shared/ids';
import { attr, type AttrValue, type Span } from '../../src/shared/model';

export interface TempoSimulatorOptions {
  /** Require this X-Scope-OrgID (multitenancy_enabled). */
  tenant?: string;
  /** An older Tempo (< 2.6) without `/api/v2/traces`. */
  legacy?: boolean;
  /** http_api_prefix, e.g. `/tempo` as on Grafana Cloud. */
  prefix?: string;
  /** A Tempo before TraceQL query hints: `with (…)` is a syntax error. */
  noHints?: boolean;
  /** [partial] Traces above this many spans are cut (v2: PARTIAL) or refused (v1: 422). */
  maxSpansPerTrace?: number;
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
      const scopes = (['resource', 'span', 'event', 'link', 'instrumentation'] as const).map((name) => ({ name, tags: tagNames(traces, name) })).filter((sc) => sc.tags.length);
      return json(res, { scopes: [...scopes, { name: 'intrinsic', tags: Object.keys(INTRINSIC_TYPES).sort() }], metrics: {} });
    }
    let m = /^\/api(\/v2)?\/search\/tag\/([^/]+)\/values$/.exec(path);
    if (m) {
      const vals = tagValues(traces, decodeURIComponent(m[2]), m[1] ? q.get('q') : null, !m[1]);
      return json(res, { tagValues: m[1] ? vals : vals.map((v) => v.value), metrics: {} });
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
      const max = this.options.maxSpansPerTrace;
      if (max !== undefined && spans.length > max) {
        // [partial]
        const maxBytes = max * 100;
        if (!v2) return send(res, 422, `trace exceeds max size (max bytes: ${maxBytes})`);
        const cut = tempoJson(dedupeShared(spans.slice(0, max)));
        return json(res, { trace: { resourceSpans: cut }, metrics: { inspectedBytes: '1024' }, status: 'PARTIAL', message: `Trace exceeds maximum size of ${maxBytes} bytes, a partial trace is returned` });
      }
      const resourceSpans = tempoJson(dedupeShared(spans));
      return json(res, v2 ? { trace: { resourceSpans }, metrics: { inspectedBytes: '1024' } } : { batches: resourceSpans });
    }
    send(res, 404, '404 page not found');
  }

  private search(traces: Map<string, Span[]>, q: URLSearchParams, res: ServerResponse): void {
    // [params]
    const intParam = (name: string, parse: 'Atoi' | 'ParseInt'): number | string | undefined => {
      const raw = q.get(name);
      if (raw === null) return undefined;
      if (!/^[+-]?\d+$/.test(raw)) return `invalid ${name}: strconv.${parse}: parsing ${JSON.stringify(raw)}: invalid syntax`;
      return Number(raw);
    };
    const limitP = intParam('limit', 'Atoi');
    if (typeof limitP === 'string') return send(res, 400, limitP);
    if (limitP !== undefined && limitP <= 0) return send(res, 400, 'invalid limit: must be a positive number');
    const spss = intParam('spss', 'Atoi');
    if (typeof spss === 'string') return send(res, 400, spss);
    if (spss !== undefined && spss <= 0) return send(res, 400, 'invalid spss: must be a positive number');
    if (spss !== undefined && spss > 100) return send(res, 400, `spans per span set exceeds 100. received ${spss}`);
    const startP = intParam('start', 'ParseInt');
    const endP = intParam('end', 'ParseInt');
    if (typeof startP === 'string') return send(res, 400, startP);
    if (typeof endP === 'string') return send(res, 400, endP);
    let window: [number, number] | undefined;
    if (startP !== undefined || endP !== undefined) {
      const s = startP ?? 0;
      const e = endP ?? 0;
      if (!(e > s)) return send(res, 400, `http parameter start must be before end. received start=${q.get('start')} end=${q.get('end')}`); // [search]
      if (e - s > MAX_RANGE_S) return send(res, 400, `range specified by start and end exceeds 168h0m0s. received start=${q.get('start')} end=${q.get('end')}`);
      window = [s * 1e6, e * 1e6];
    }
    let query: ParsedQuery;
    try {
      query = parseTraceQL(q.get('q') ?? '{}', { hints: !this.options.noHints });
    } catch (e) {
      if (e instanceof Unsupported) return send(res, 501, `tempo simulator: ${e.message}; it supports { cond && cond } with (hint=value), with cond an intrinsic or a scoped attribute compared to a literal`);
      return send(res, 400, `invalid TraceQL query: ${(e as Error).message}`); // [traceql]
    }
    const limit = limitP ?? 20;
    const perSet = spss ?? 3;
    // [first-n] storage order (oldest stored first) unless the query asks for the most recent.
    let candidates = [...traces.values()].map((spans) => ({ spans, start: Math.min(...spans.map((s) => s.startUs)) }));
    if (query.hints.most_recent === 'true') candidates = candidates.sort((a, b) => b.start - a.start);
    const found: Array<{ row: Record<string, unknown>; start: number }> = [];
    for (const { spans, start: t0 } of candidates) {
      const t1 = Math.max(...spans.map((s) => s.startUs + s.durationUs));
      if (window && (t1 < window[0] || t0 > window[1])) continue;
      const ids = new Set(spans.map((s) => s.spanId));
      const root = spans.find((s) => !s.parentId || !ids.has(s.parentId));
      const hasRoot = !!root && root.parentId === undefined;
      const ctx: TraceContext = { rootName: hasRoot ? root.name : undefined, rootService: hasRoot ? root.service : undefined, durationUs: t1 - t0, traceId: spans[0].traceId };
      const matched = spans.filter((s) => query.filter(s, ctx));
      if (!matched.length) continue;
      const stats: Record<string, { spanCount: number; errorCount?: number }> = {};
      for (const s of spans) {
        const st = (stats[s.service] ??= { spanCount: 0 });
        st.spanCount++;
        if (s.status.code === 'error') st.errorCount = (st.errorCount ?? 0) + 1;
      }
      const set = {
        spans: matched.slice(0, perSet).map((s) => ({ spanID: s.spanId, name: s.name, startTimeUnixNano: `${s.startUs}000`, durationNanos: `${s.durationUs}000`, attributes: [{ key: 'service.name', value: { stringValue: s.service } }] })),
        matched: matched.length,
      };
      const row: Record<string, unknown> = {
        traceID: traceIdTo128(spans[0].traceId).replace(/^0+/, ''), // [search] leading zeros trimmed
        rootServiceName: hasRoot ? root.service : '<root span not yet received>',
        startTimeUnixNano: `${t0}000`,
        spanSet: set,
        spanSets: [set],
        serviceStats: stats,
      };
      const ms = Math.floor((t1 - t0) / 1000); // [search] floored, and omitted when zero
      if (ms > 0) row.durationMs = ms;
      if (hasRoot) row.rootTraceName = root.name;
      found.push({ row, start: t0 });
      if (found.length >= limit) break;
    }
    const metrics = { inspectedBytes: '292781', totalBlocks: 1, completedJobs: 1, totalJobs: 1 };
    if (!found.length) return json(res, { metrics }); // [search] an empty list is omitted
    json(res, { traces: found.sort((a, b) => b.start - a.start).map((f) => f.row), metrics });
  }
}

interface TraceContext {
  rootName?: string;
  rootService?: string;
  durationUs: number;
  traceId: string;
}
type SpanFilter = (s: Span, trace: TraceContext) => boolean;
interface ParsedQuery {
  filter: SpanFilter;
  hints: Record<string, string>;
}
class Unsupported extends Error {}

type ValueType = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'keyword';
type Value = string | number | boolean | undefined;

/** [typed] Tempo's intrinsics and the type each compares with (numbers: int, float and duration mix). */
const INTRINSIC_TYPES: Record<string, 'string' | 'status' | 'kind' | 'duration'> = {
  name: 'string', status: 'status', statusMessage: 'string', kind: 'kind', duration: 'duration',
  rootName: 'string', rootServiceName: 'string', traceDuration: 'duration',
  'span:name': 'string', 'span:status': 'status', 'span:statusMessage': 'string', 'span:kind': 'kind', 'span:duration': 'duration', 'span:id': 'string', 'span:parentID': 'string',
  'trace:rootName': 'string', 'trace:rootService': 'string', 'trace:duration': 'duration', 'trace:id': 'string',
  'event:name': 'string', 'link:traceID': 'string', 'link:spanID': 'string', 'instrumentation:name': 'string', 'instrumentation:version': 'string',
};
const STATUS_WORDS = ['error', 'ok', 'unset'];
const KIND_WORDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const SCOPES = ['resource', 'span', 'event', 'link', 'instrumentation'];

/**
 * The TraceQL the extension emits: `{}` or `{ c && c && … }`, optionally followed by `with (k=v, …)`
 * hints; c is `field op literal`, field an intrinsic or a scoped or unscoped attribute, op one of
 * = != > >= < <= =~ !~, and the literal a string, integer, float, true/false, Go duration or keyword.
 */
export function parseTraceQL(text: string, options: { hints?: boolean } = {}): ParsedQuery {
  const src = text.trim();
  const col = (i: number): number => text.indexOf(src) + i + 1;
  if (!src.startsWith('{')) throw new Error(`parse error at line 1, col ${col(0)}: syntax error: unexpected ${JSON.stringify(src.slice(0, 1) || 'EOF')}`);
  const close = matchingBrace(src);
  if (close < 0) throw new Error(`parse error at line 1, col ${col(src.length)}: syntax error: unexpected $end`);
  const rest = src.slice(close + 1).trim();
  const hints: Record<string, string> = {};
  if (rest) {
    const h = /^with\s*\(([^)]*)\)$/.exec(rest);
    if (!h) throw new Unsupported(`pipelines and spanset operators ("${rest}") are not supported`);
    if (options.hints === false) throw new Error(`parse error at line 1, col ${col(close + 1 + src.slice(close + 1).indexOf('with'))}: syntax error: unexpected IDENTIFIER`); // before hints existed
    for (const pair of h[1].split(',')) {
      const kv = /^\s*(\w+)\s*=\s*(\w+)\s*$/.exec(pair);
      if (!kv) throw new Error(`parse error at line 1, col ${col(close + 1)}: syntax error: unexpected ${JSON.stringify(pair.trim())}`);
      hints[kv[1]] = kv[2];
    }
  }
  const body = src.slice(1, close).trim();
  if (!body) return { filter: () => true, hints };
  if (/\|\||\(|\)/.test(body.replace(/"(\\.|[^"\\])*"/g, '""'))) throw new Unsupported('|| and parentheses are not supported');
  const conds = splitConditions(body);
  const filters = conds.map((c) => {
    const m = /^([\w:]+|\.[\w.-]+|(?:resource|span|event|link|instrumentation)\.[\w.-]+)\s*(=~|!~|!=|>=|<=|=|>|<)\s*("(?:\\.|[^"\\])*"|[\w.+-]+)$/.exec(c);
    if (!m) throw new Error(`parse error at line 1, col ${col(src.indexOf(c))}: syntax error: unexpected IDENTIFIER`);
    const [, field, op, raw] = m;
    const literal = parseLiteral(raw, col(src.indexOf(raw)));
    const intrinsic = INTRINSIC_TYPES[field];
    const scoped = field.startsWith('.') || SCOPES.some((sc) => field.startsWith(`${sc}.`));
    if (!intrinsic && !scoped) throw new Error(`parse error at line 1, col ${col(src.indexOf(c))}: syntax error: unexpected IDENTIFIER`);
    if (intrinsic && !sameType(intrinsic, literal.type, literal.value)) throw new Error(`binary operations must operate on the same type: ${field} ${op} ${raw}`); // [typed]
    return (s: Span, t: TraceContext): boolean => fieldValues(s, t, field).some((v) => compare(v, op, literal, intrinsic));
  });
  return { filter: (s, t) => filters.every((f) => f(s, t)), hints };
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

/** Conditions split at `&&` outside string literals. */
function splitConditions(body: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inStr = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inStr) {
      cur += c;
      if (c === '\\') cur += body[++i] ?? '';
      else if (c === '"') inStr = false;
    } else if (c === '"') {
      inStr = true;
      cur += c;
    } else if (body.startsWith('&&', i)) {
      out.push(cur.trim());
      cur = '';
      i++;
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

interface Literal {
  type: ValueType;
  value: string | number | boolean;
}

function parseLiteral(raw: string, at: number): Literal {
  if (raw.startsWith('"')) return { type: 'string', value: JSON.parse(raw) as string };
  if (/^-?\d+$/.test(raw)) return { type: 'int', value: Number(raw) };
  if (/^-?\d*\.\d+$/.test(raw)) return { type: 'float', value: Number(raw) };
  if (raw === 'true' || raw === 'false') return { type: 'bool', value: raw === 'true' };
  const d = parseGoDuration(raw);
  if (d !== undefined) return { type: 'duration', value: d };
  if (STATUS_WORDS.includes(raw) || KIND_WORDS.includes(raw)) return { type: 'keyword', value: raw };
  throw new Error(`parse error at line 1, col ${at}: syntax error: unexpected IDENTIFIER`);
}

function sameType(intrinsic: 'string' | 'status' | 'kind' | 'duration', type: ValueType, value: Literal['value']): boolean {
  if (intrinsic === 'string') return type === 'string';
  if (intrinsic === 'duration') return type === 'duration' || type === 'int' || type === 'float';
  if (intrinsic === 'status') return type === 'keyword' && STATUS_WORDS.includes(String(value));
  return type === 'keyword' && KIND_WORDS.includes(String(value));
}

/** Every value the field has on this span (events and links can give several). */
function fieldValues(s: Span, t: TraceContext, field: string): Value[] {
  switch (field) {
    case 'name':
    case 'span:name':
      return [s.name];
    case 'status':
    case 'span:status':
      return [s.status.code];
    case 'statusMessage':
    case 'span:statusMessage':
      return [s.status.message ?? ''];
    case 'kind':
    case 'span:kind':
      return [s.kind];
    case 'duration':
    case 'span:duration':
      return [s.durationUs];
    case 'span:id':
      return [s.spanId];
    case 'span:parentID':
      return [s.parentId ?? ''];
    case 'rootName':
    case 'trace:rootName':
      return [t.rootName];
    case 'rootServiceName':
    case 'trace:rootService':
      return [t.rootService];
    case 'traceDuration':
    case 'trace:duration':
      return [t.durationUs];
    case 'trace:id':
      return [t.traceId];
    case 'event:name':
      return s.events.map((e) => e.name);
    case 'link:traceID':
      return s.links.map((l) => l.traceId);
    case 'link:spanID':
      return s.links.map((l) => l.spanId);
    case 'instrumentation:name':
      return [s.scope?.name];
    case 'instrumentation:version':
      return [s.scope?.version];
    case 'resource.service.name':
      return [s.service];
  }
  const typed = (v: AttrValue | undefined): Value => (v === undefined || v === null ? undefined : typeof v === 'object' ? JSON.stringify(v) : v);
  const dot = field.indexOf('.');
  const scope = field.slice(0, dot);
  const key = field.slice(dot + 1);
  if (scope === 'resource') return [typed(attr(s.resource, key))];
  if (scope === 'span') return [typed(attr(s.attributes, key))];
  if (scope === 'event') return s.events.map((e) => typed(attr(e.attributes, key)));
  if (scope === 'link') return s.links.map((l) => typed(attr(l.attributes, key)));
  if (scope === 'instrumentation') return [typed(attr(s.scope?.attributes ?? [], key))];
  // unscoped: the span's attribute, else the resource's
  return [typed(attr(s.attributes, key) ?? attr(s.resource, key))];
}

/** [typed] Equal only when of the same type: a string never equals a number, a bool only a bool. */
function compare(actual: Value, op: string, literal: Literal, intrinsic: string | undefined): boolean {
  if (actual === undefined) return false;
  let b: string | number | boolean = literal.value;
  if (intrinsic === 'duration' && literal.type !== 'duration') b = Number(literal.value) / 1000; // integer nanoseconds
  const numeric = literal.type === 'int' || literal.type === 'float' || literal.type === 'duration';
  if (numeric && typeof actual !== 'number') return false;
  if (literal.type === 'string' && typeof actual !== 'string') return false;
  if (literal.type === 'bool' && typeof actual !== 'boolean') return false;
  if (literal.type === 'keyword' && (!intrinsic || typeof actual !== 'string')) return false; // an attribute is never a keyword
  switch (op) {
    case '=':
      return actual === b;
    case '!=':
      return actual !== b;
    case '=~':
      return new RegExp(`^(?:${String(b)})$`).test(String(actual));
    case '!~':
      return !new RegExp(`^(?:${String(b)})$`).test(String(actual));
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

function tagNames(traces: Map<string, Span[]>, scope: 'span' | 'resource' | 'event' | 'link' | 'instrumentation'): string[] {
  const set = new Set<string>();
  for (const spans of traces.values()) {
    for (const s of spans) {
      const lists = scope === 'span' ? [s.attributes] : scope === 'resource' ? [s.resource] : scope === 'event' ? s.events.map((e) => e.attributes) : scope === 'link' ? s.links.map((l) => l.attributes) : [s.scope?.attributes ?? []];
      for (const list of lists) for (const a of list) set.add(a.key);
    }
  }
  return [...set].sort();
}

/** [tags] v2: typed values; v1 (`plain`): names without scope, values as strings. */
function tagValues(traces: Map<string, Span[]>, tag: string, q: string | null, plain: boolean): Array<{ type: string; value: string }> {
  let filter: SpanFilter = () => true;
  try {
    if (q) filter = parseTraceQL(q).filter;
  } catch {
    // [tags] an invalid q is ignored: the full list comes back
  }
  const field = INTRINSIC_TYPES[tag] || tag.startsWith('.') || SCOPES.some((sc) => tag.startsWith(`${sc}.`)) ? tag : `.${tag}`;
  const intrinsic = INTRINSIC_TYPES[field];
  const seen = new Map<string, { type: string; value: string }>();
  for (const spans of traces.values()) {
    const ctx: TraceContext = { durationUs: 0, traceId: spans[0].traceId };
    for (const s of spans) {
      if (!filter(s, ctx)) continue;
      for (const v of fieldValues(s, ctx, field)) {
        if (v === undefined || v === '') continue;
        const type = plain ? 'string' : intrinsic === 'status' || intrinsic === 'kind' ? 'keyword' : intrinsic === 'duration' ? 'duration' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v === 'boolean' ? 'bool' : 'string';
        seen.set(`${type}:${v}`, { type, value: String(v) });
      }
    }
  }
  return [...seen.values()].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
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
