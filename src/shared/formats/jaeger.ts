/**
 * Jaeger's UI/query JSON (`GET /api/traces/{id}`, `GET /api/traces`, the UI's "Download JSON"):
 * `{ data: [ { traceID, spans, processes } ] }`. Parent = the first CHILD_OF reference (else the first
 * FOLLOWS_FROM into the same trace); other references become links. The tags that OTLP→Jaeger
 * translation invented (`span.kind`, `otel.status_code`, `otel.scope.name`, …) are lifted back into
 * the model so a span reads the same whichever backend it came through.
 */
import { normalizeSpanId, normalizeTraceId } from '../ids';
import type { JsonPath } from '../json/scanner';
import type { Attribute, AttrValue, InstrumentationScope, Span, SpanEvent, SpanKind, SpanLink } from '../model';
import { EMPTY_ATTRIBUTES } from '../model';
import { arrayAt, describe, fail, isObject, kindFromWord, numberLike, objectAt, statusFromWord, type JsonObject } from './common';
import { groupByResourceAndScope } from './otlpJson';

const F = 'jaeger-json' as const;

export function looksLikeJaeger(v: unknown): boolean {
  if (isObject(v) && Array.isArray(v.data)) {
    const first = v.data[0];
    return v.data.length === 0 ? 'total' in v || 'errors' in v : isObject(first) && Array.isArray(first.spans);
  }
  if (isObject(v)) return Array.isArray(v.spans) && ('processes' in v || 'traceID' in v);
  return Array.isArray(v) && isObject(v[0]) && Array.isArray(v[0].spans) && 'processes' in v[0];
}

export function decodeJaeger(root: unknown): Span[] {
  let traces: unknown[];
  let base: JsonPath;
  if (isObject(root) && Array.isArray(root.data)) {
    traces = root.data;
    base = ['data'];
  } else if (Array.isArray(root)) {
    traces = root;
    base = [];
  } else {
    traces = [root];
    base = [];
  }
  const out: Span[] = [];
  for (let t = 0; t < traces.length; t++) {
    const trace = objectAt(F, traces[t], traces === root ? [t] : [...base, t], 'a trace');
    const tPath: JsonPath = base.length || Array.isArray(root) ? [...base, t] : [];
    const processes = new Map<string, JaegerProcess>();
    if (trace.processes !== undefined && trace.processes !== null) {
      const procs = objectAt(F, trace.processes, [...tPath, 'processes'], 'processes');
      for (const key of Object.keys(procs)) processes.set(key, processOf(procs[key], [...tPath, 'processes', key]));
    }
    const spans = arrayAt(F, trace.spans, [...tPath, 'spans'], 'spans');
    for (let i = 0; i < spans.length; i++) out.push(decodeJaegerSpan(spans[i], [...tPath, 'spans', i], processes));
  }
  return out;
}

function processOf(v: unknown, path: JsonPath): JaegerProcess {
  const p = objectAt(F, v, path, 'a process');
  return jaegerProcess(typeof p.serviceName === 'string' ? p.serviceName : '', tags(p.tags, [...path, 'tags']));
}

function tags(v: unknown, path: JsonPath): Attribute[] {
  const list = arrayAt(F, v, path, 'tags');
  const out: Attribute[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    if (!isObject(t) || typeof t.key !== 'string') fail(F, `a tag must be {"key", "type", "value"}, got ${describe(t)}`, [...path, i]);
    out.push({ key: t.key, value: tagValue(t) });
  }
  return out;
}

function tagValue(t: JsonObject): AttrValue {
  const v = t.value;
  switch (t.type) {
    case 'bool':
      return v === true || v === 'true';
    case 'int64': {
      if (typeof v === 'number') return v;
      const n = Number(v);
      return typeof v === 'string' && !Number.isSafeInteger(n) ? v : n; // beyond 2^53 Jaeger sends a string
    }
    case 'float64':
      return typeof v === 'number' ? v : Number(v);
    default:
      return typeof v === 'string' ? v : v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : (v as number | boolean);
  }
}

function jaegerId(v: unknown, path: JsonPath, what: string, trace: boolean): string {
  if (typeof v !== 'string') fail(F, `${what} must be a hex string, got ${describe(v)}`, path);
  const id = trace ? normalizeTraceId(v) : normalizeSpanId(v);
  if (!id) fail(F, `${what} must be hex (1–${trace ? 32 : 16} digits, not all zeros), got ${describe(v)}`, path);
  return id;
}

function decodeJaegerSpan(v: unknown, path: JsonPath, processes: Map<string, JaegerProcess>): Span {
  const s = objectAt(F, v, path, 'a span');
  const traceId = jaegerId(s.traceID, [...path, 'traceID'], 'traceID', true);
  const spanId = jaegerId(s.spanID, [...path, 'spanID'], 'spanID', false);
  let proc = typeof s.processID === 'string' ? processes.get(s.processID) : undefined;
  if (!proc && isObject(s.process)) proc = processOf(s.process, [...path, 'process']);
  if (!proc && typeof s.processID === 'string') fail(F, `processID "${s.processID}" is not in the trace's processes`, [...path, 'processID']);

  const refs = arrayAt(F, s.references, [...path, 'references'], 'references');
  const refList = refs.map((v, i) => {
    const r = objectAt(F, v, [...path, 'references', i], 'a reference');
    return {
      refType: r.refType === 'FOLLOWS_FROM' ? ('FOLLOWS_FROM' as const) : ('CHILD_OF' as const),
      traceId: jaegerId(r.traceID, [...path, 'references', i, 'traceID'], 'reference traceID', true),
      spanId: jaegerId(r.spanID, [...path, 'references', i, 'spanID'], 'reference spanID', false),
    };
  });
  const fromRefs = jaegerParentAndLinks(traceId, refList);
  const links = fromRefs.links;
  let parentId = fromRefs.parentId;
  if (!parentId && typeof s.parentSpanID === 'string' && !/^0*$/.test(s.parentSpanID)) parentId = jaegerId(s.parentSpanID, [...path, 'parentSpanID'], 'parentSpanID', false);

  const tagList = tags(s.tags, [...path, 'tags']);
  const logs = arrayAt(F, s.logs, [...path, 'logs'], 'logs');
  const logList: JaegerLog[] = [];
  for (let i = 0; i < logs.length; i++) {
    const l = objectAt(F, logs[i], [...path, 'logs', i], 'a log');
    logList.push({ timeUs: numberLike(F, l.timestamp, [...path, 'logs', i, 'timestamp'], 'log timestamp'), fields: tags(l.fields, [...path, 'logs', i, 'fields']) });
  }
  return jaegerSpan({
    traceId,
    spanId,
    parentId,
    links,
    operationName: typeof s.operationName === 'string' ? s.operationName : '',
    process: proc,
    startUs: numberLike(F, s.startTime, [...path, 'startTime'], 'startTime'),
    durationUs: numberLike(F, s.duration, [...path, 'duration'], 'duration'),
    tags: tagList,
    logs: logList,
    flags: typeof s.flags === 'number' ? s.flags : 0,
  });
}

export interface JaegerProcess {
  service: string;
  resource: Attribute[];
}

export interface JaegerLog {
  timeUs: number;
  fields: Attribute[];
}

/** A Jaeger span, JSON or Thrift, with its ids and references already read. */
export interface JaegerSpanParts {
  traceId: string;
  spanId: string;
  parentId?: string;
  links: SpanLink[];
  operationName: string;
  process?: JaegerProcess;
  startUs: number;
  durationUs: number;
  tags: Attribute[];
  logs: JaegerLog[];
  flags: number;
}

/** A process's service and tags as the resource (service.name first). */
export function jaegerProcess(service: string, processTags: readonly Attribute[]): JaegerProcess {
  const resource: Attribute[] = service ? [{ key: 'service.name', value: service }] : [];
  resource.push(...processTags);
  return { service, resource };
}

/**
 * The model span: the tags OTLP→Jaeger translation invented (`span.kind`, `otel.status_code`,
 * `otel.scope.name`, `error`, …) are lifted back into kind, status and scope; logs become events named by
 * their `event` (else `message`) field.
 */
export function jaegerSpan(p: JaegerSpanParts): Span {
  let kind: SpanKind = 'unspecified';
  let code: Span['status']['code'] = 'unset';
  let message: string | undefined;
  let scopeName: string | undefined;
  let scopeVersion: string | undefined;
  let traceState: string | undefined;
  const attributes: Attribute[] = [];
  for (const t of p.tags) {
    const text = typeof t.value === 'string' ? t.value : String(t.value);
    switch (t.key) {
      case 'span.kind':
        kind = kindFromWord(text) ?? kind;
        break;
      case 'otel.status_code':
        code = statusFromWord(text) ?? code;
        break;
      case 'otel.status_description':
        message = text;
        break;
      case 'error':
        if (t.value === true || text === 'true') code = 'error';
        else attributes.push(t);
        break;
      case 'otel.scope.name':
      case 'otel.library.name':
        scopeName = text;
        break;
      case 'otel.scope.version':
      case 'otel.library.version':
        scopeVersion = text;
        break;
      case 'w3c.tracestate':
        traceState = text;
        break;
      default:
        attributes.push(t);
    }
  }

  const events: SpanEvent[] = p.logs.map(({ timeUs, fields }) => {
    const nameField = fields.find((f) => f.key === 'event') ?? fields.find((f) => f.key === 'message');
    return { timeUs, name: nameField ? String(nameField.value) : 'log', attributes: nameField ? fields.filter((f) => f !== nameField) : fields };
  });

  const span: Span = {
    traceId: p.traceId,
    spanId: p.spanId,
    name: p.operationName,
    service: p.process?.service ?? '',
    kind,
    startUs: p.startUs,
    durationUs: p.durationUs,
    attributes: attributes.length ? attributes : EMPTY_ATTRIBUTES,
    resource: p.process?.resource ?? EMPTY_ATTRIBUTES,
    events,
    links: p.links,
    status: message && code !== 'unset' ? { code, message } : { code },
  };
  if (p.parentId) span.parentId = p.parentId;
  if (scopeName) span.scope = (scopeVersion ? { name: scopeName, version: scopeVersion } : { name: scopeName }) as InstrumentationScope;
  if (traceState) span.traceState = traceState;
  if (p.flags) span.flags = p.flags;
  return span;
}

/**
 * Parent and links from Jaeger references: the first CHILD_OF into the same trace is the parent (else the
 * first FOLLOWS_FROM); every other reference becomes a link marked with its type.
 */
export function jaegerParentAndLinks(traceId: string, refs: ReadonlyArray<{ refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceId: string; spanId: string }>): { parentId?: string; links: SpanLink[] } {
  let parentId: string | undefined;
  let followsFrom: string | undefined;
  const links: SpanLink[] = [];
  for (const r of refs) {
    const sameTrace = r.traceId === traceId;
    if (r.refType === 'CHILD_OF' && sameTrace && !parentId) parentId = r.spanId;
    else if (r.refType === 'FOLLOWS_FROM' && sameTrace && !followsFrom && !parentId) followsFrom = r.spanId;
    else links.push({ traceId: r.traceId, spanId: r.spanId, attributes: [{ key: 'opentracing.ref_type', value: r.refType === 'FOLLOWS_FROM' ? 'follows_from' : 'child_of' }] });
  }
  if (!parentId && followsFrom) parentId = followsFrom;
  else if (followsFrom) links.push({ traceId, spanId: followsFrom, attributes: [{ key: 'opentracing.ref_type', value: 'follows_from' }] });
  return parentId ? { parentId, links } : { links };
}

// ---------------------------------------------------------------------------------------------

interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: string | number | boolean;
}

function toTag(a: Attribute): JaegerTag {
  const v = a.value;
  if (typeof v === 'boolean') return { key: a.key, type: 'bool', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { key: a.key, type: 'int64', value: v } : { key: a.key, type: 'float64', value: v };
  return { key: a.key, type: 'string', value: typeof v === 'string' ? v : JSON.stringify(v) };
}

export function encodeJaeger(spans: readonly Span[]): { data: Array<{ traceID: string; spans: unknown[]; processes: Record<string, unknown> }> } {
  const byTrace = new Map<string, Span[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  const data = [...byTrace.entries()].map(([traceID, list]) => {
    const processes: Record<string, unknown> = {};
    const processIdOf = new Map<Span, string>();
    groupByResourceAndScope(list).forEach((g, i) => {
      const pid = `p${i + 1}`;
      const service = g.scopes[0]?.spans[0]?.service ?? '';
      processes[pid] = { serviceName: service, tags: g.resource.filter((a) => a.key !== 'service.name').map(toTag) };
      for (const sg of g.scopes) for (const s of sg.spans) processIdOf.set(s, pid);
    });
    return {
      traceID,
      spans: list.map((s) => {
        const t: JaegerTag[] = s.attributes.map(toTag);
        if (s.kind !== 'unspecified') t.push({ key: 'span.kind', type: 'string', value: s.kind });
        if (s.status.code === 'error') t.push({ key: 'error', type: 'bool', value: true });
        if (s.status.code !== 'unset') t.push({ key: 'otel.status_code', type: 'string', value: s.status.code.toUpperCase() });
        if (s.status.message) t.push({ key: 'otel.status_description', type: 'string', value: s.status.message });
        if (s.scope?.name) t.push({ key: 'otel.scope.name', type: 'string', value: s.scope.name });
        if (s.scope?.version) t.push({ key: 'otel.scope.version', type: 'string', value: s.scope.version });
        const references = [
          ...(s.parentId ? [{ refType: 'CHILD_OF', traceID, spanID: s.parentId }] : []),
          ...s.links.map((l) => ({ refType: 'FOLLOWS_FROM', traceID: l.traceId, spanID: l.spanId })),
        ];
        return {
          traceID,
          spanID: s.spanId,
          operationName: s.name,
          references,
          startTime: Number.isFinite(s.startUs) ? Math.floor(s.startUs) : 0,
          duration: Number.isFinite(s.durationUs) ? Math.round(s.durationUs) : 0,
          tags: t,
          logs: s.events.map((e) => ({ timestamp: Math.floor(e.timeUs), fields: [{ key: 'event', type: 'string', value: e.name }, ...e.attributes.map(toTag)] })),
          processID: processIdOf.get(s),
          warnings: null,
        };
      }),
      processes,
    };
  });
  return { data };
}
