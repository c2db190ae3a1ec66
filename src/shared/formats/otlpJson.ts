/**
 * OTLP/JSON and its relatives: plain OTLP (`resourceSpans`, hex ids, integer enums), Tempo's
 * trace-by-id JSON (`batches` in v1, `{trace:{resourceSpans}}` in v2; base64 ids, enum names) and
 * Jaeger's `/api/v3` (`{result:{resourceSpans}}`). One decoder accepts all spellings because they
 * differ only in the wrapper, the id encoding and the enum encoding.
 */
import { idFromOtlpJson, traceIdTo128 } from '../ids';
import type { JsonPath } from '../json/scanner';
import type { Attribute, AttrValue, InstrumentationScope, Span, SpanEvent, SpanKind, SpanLink, StatusCode, TraceFormat } from '../model';
import { EMPTY_ATTRIBUTES, attr } from '../model';
import { endNanosString, microsToNanosString, nanosDurationMicros, nanosToMicros } from '../time';
import { arrayAt, describe, fail, isObject, kindFromWord, objectAt, statusFromWord, type JsonObject } from './common';

const KIND_BY_NUMBER: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_BY_NUMBER: StatusCode[] = ['unset', 'ok', 'error'];
const MAX_VALUE_DEPTH = 64;

/** Where the `resourceSpans` list sits in each wrapper. */
export function resourceSpansOf(root: JsonObject, format: TraceFormat): { list: unknown; path: JsonPath } {
  switch (format) {
    case 'tempo-v1':
      return { list: root.batches, path: ['batches'] };
    case 'tempo-v2':
      return { list: isObject(root.trace) ? root.trace.resourceSpans : undefined, path: ['trace', 'resourceSpans'] };
    case 'jaeger-v3':
      return { list: isObject(root.result) ? root.result.resourceSpans : undefined, path: ['result', 'resourceSpans'] };
    default:
      return { list: root.resourceSpans, path: ['resourceSpans'] };
  }
}

export function decodeOtlpJson(root: unknown, format: TraceFormat = 'otlp-json'): Span[] {
  const obj = objectAt(format, root, [], 'the document');
  const { list, path } = resourceSpansOf(obj, format);
  const spans: Span[] = [];
  const rsList = arrayAt(format, list, path, 'resourceSpans');
  for (let r = 0; r < rsList.length; r++) {
    const rs = rsList[r];
    if (!isObject(rs)) fail(format, `a resourceSpans entry must be an object, got ${describe(rs)}`, [...path, r]);
    const resourceAttrs = isObject(rs.resource) ? attributes(format, rs.resource.attributes, [...path, r, 'resource', 'attributes']) : EMPTY_ATTRIBUTES;
    const serviceValue = attr(resourceAttrs, 'service.name');
    const service = typeof serviceValue === 'string' ? serviceValue : '';
    // OTLP renamed instrumentationLibrarySpans to scopeSpans; Tempo 1.x and old SDKs still send the old name.
    const scopeKey = rs.scopeSpans !== undefined ? 'scopeSpans' : 'instrumentationLibrarySpans';
    const ssList = arrayAt(format, rs[scopeKey], [...path, r, scopeKey], scopeKey);
    for (let s = 0; s < ssList.length; s++) {
      const ss = ssList[s];
      if (!isObject(ss)) fail(format, `a ${scopeKey} entry must be an object`, [...path, r, scopeKey, s]);
      const scopeObj = isObject(ss.scope) ? ss.scope : isObject(ss.instrumentationLibrary) ? ss.instrumentationLibrary : undefined;
      let scope: InstrumentationScope | undefined;
      if (scopeObj && typeof scopeObj.name === 'string' && (scopeObj.name || scopeObj.version)) {
        scope = { name: scopeObj.name };
        if (typeof scopeObj.version === 'string' && scopeObj.version) scope = { ...scope, version: scopeObj.version };
        if (Array.isArray(scopeObj.attributes) && scopeObj.attributes.length) {
          scope = { ...scope, attributes: attributes(format, scopeObj.attributes, [...path, r, scopeKey, s, 'scope', 'attributes']) };
        }
      }
      const rawSpans = arrayAt(format, ss.spans, [...path, r, scopeKey, s, 'spans'], 'spans');
      for (let k = 0; k < rawSpans.length; k++) {
        spans.push(decodeSpan(format, rawSpans[k], resourceAttrs, service, scope, path, r, scopeKey, s, k));
      }
    }
  }
  return spans;
}

function decodeSpan(
  format: TraceFormat,
  raw: unknown,
  resource: readonly Attribute[],
  service: string,
  scope: InstrumentationScope | undefined,
  base: JsonPath,
  r: number,
  scopeKey: string,
  s: number,
  k: number,
): Span {
  const at = (...rest: Array<string | number>): JsonPath => [...base, r, scopeKey, s, 'spans', k, ...rest];
  if (!isObject(raw)) fail(format, `a span must be an object, got ${describe(raw)}`, at());
  const traceId = id(format, raw.traceId, 16, at('traceId'), 'traceId');
  const spanId = id(format, raw.spanId, 8, at('spanId'), 'spanId');
  let parentId: string | undefined;
  if (raw.parentSpanId !== undefined && raw.parentSpanId !== '' && raw.parentSpanId !== null) {
    parentId = id(format, raw.parentSpanId, 8, at('parentSpanId'), 'parentSpanId');
    if (/^0+$/.test(parentId)) parentId = undefined;
  }
  const startNs = nanos(format, raw.startTimeUnixNano, at('startTimeUnixNano'));
  const endNs = nanos(format, raw.endTimeUnixNano, at('endTimeUnixNano'));
  const startUs = nanosToMicros(startNs);
  let durationUs = nanosDurationMicros(startNs, endNs);
  if (durationUs < 0) durationUs = NaN; // end before start: let linking report it rather than draw a negative bar
  const span: Span = {
    traceId,
    spanId,
    name: typeof raw.name === 'string' ? raw.name : '',
    service,
    kind: kind(format, raw.kind, at('kind')),
    startUs,
    durationUs,
    attributes: raw.attributes === undefined ? EMPTY_ATTRIBUTES : attributes(format, raw.attributes, at('attributes')),
    resource,
    events: raw.events === undefined ? [] : events(format, raw.events, at('events')),
    links: raw.links === undefined ? [] : links(format, raw.links, at('links')),
    status: status(format, raw.status, at('status')),
  };
  if (parentId) span.parentId = parentId;
  if (scope) span.scope = scope;
  if (typeof raw.traceState === 'string' && raw.traceState) span.traceState = raw.traceState;
  if (typeof raw.flags === 'number' && raw.flags) span.flags = raw.flags;
  return span;
}

function id(format: TraceFormat, v: unknown, bytes: 8 | 16, path: JsonPath, what: string): string {
  if (typeof v !== 'string' || v === '') fail(format, `${what} is required and must be a string, got ${describe(v)}`, path);
  const hex = idFromOtlpJson(v, bytes);
  if (hex === null) fail(format, `${what} must be ${bytes * 2} hex digits or base64 of ${bytes} bytes, got ${describe(v)}`, path);
  return hex;
}

function nanos(format: TraceFormat, v: unknown, path: JsonPath): string | number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  fail(format, `nanosecond time must be a non-negative integer or decimal string, got ${describe(v)}`, path);
}

function kind(format: TraceFormat, v: unknown, path: JsonPath): SpanKind {
  if (v === undefined || v === null) return 'unspecified';
  if (typeof v === 'number' && KIND_BY_NUMBER[v]) return KIND_BY_NUMBER[v];
  if (typeof v === 'string') {
    const k = kindFromWord(v);
    if (k) return k;
  }
  fail(format, `kind must be 0–5 or a SPAN_KIND_* name, got ${describe(v)}`, path);
}

function status(format: TraceFormat, v: unknown, path: JsonPath): Span['status'] {
  if (!isObject(v)) return { code: 'unset' };
  let code: StatusCode = 'unset';
  if (typeof v.code === 'number' && STATUS_BY_NUMBER[v.code]) code = STATUS_BY_NUMBER[v.code];
  else if (typeof v.code === 'string') {
    const c = statusFromWord(v.code);
    if (!c) fail(format, `status code must be 0–2 or a STATUS_CODE_* name, got ${describe(v.code)}`, [...path, 'code']);
    code = c;
  } else if (v.code !== undefined && v.code !== null) fail(format, `status code must be 0–2, got ${describe(v.code)}`, [...path, 'code']);
  return typeof v.message === 'string' && v.message ? { code, message: v.message } : { code };
}

function events(format: TraceFormat, v: unknown, path: JsonPath): SpanEvent[] {
  const list = arrayAt(format, v, path, 'events');
  const out: SpanEvent[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = objectAt(format, list[i], [...path, i], 'an event');
    out[i] = {
      timeUs: nanosToMicros(nanos(format, e.timeUnixNano, [...path, i, 'timeUnixNano'])),
      name: typeof e.name === 'string' ? e.name : '',
      attributes: e.attributes === undefined ? EMPTY_ATTRIBUTES : attributes(format, e.attributes, [...path, i, 'attributes']),
    };
  }
  return out;
}

function links(format: TraceFormat, v: unknown, path: JsonPath): SpanLink[] {
  const list = arrayAt(format, v, path, 'links');
  const out: SpanLink[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const l = objectAt(format, list[i], [...path, i], 'a link');
    const link: SpanLink = {
      traceId: id(format, l.traceId, 16, [...path, i, 'traceId'], 'link traceId'),
      spanId: id(format, l.spanId, 8, [...path, i, 'spanId'], 'link spanId'),
      attributes: l.attributes === undefined ? EMPTY_ATTRIBUTES : attributes(format, l.attributes, [...path, i, 'attributes']),
    };
    out[i] = typeof l.traceState === 'string' && l.traceState ? { ...link, traceState: l.traceState } : link;
  }
  return out;
}

export function attributes(format: TraceFormat, v: unknown, path: JsonPath): Attribute[] {
  const list = arrayAt(format, v, path, 'attributes');
  const out: Attribute[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    if (!isObject(kv) || typeof kv.key !== 'string') fail(format, `an attribute must be {"key": string, "value": AnyValue}, got ${describe(kv)}`, [...path, i]);
    out[i] = { key: kv.key, value: anyValue(format, kv.value, [...path, i, 'value'], 0) };
  }
  return out;
}

/** OTLP AnyValue → model value. int64 stays a decimal string when a number would round it. */
function anyValue(format: TraceFormat, v: unknown, path: JsonPath, depth: number): AttrValue {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) fail(format, `an attribute value must be an AnyValue object, got ${describe(v)}`, path);
  if (depth > MAX_VALUE_DEPTH) fail(format, `attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`, path);
  if ('stringValue' in v) return typeof v.stringValue === 'string' ? v.stringValue : String(v.stringValue);
  if ('intValue' in v) {
    const i = v.intValue;
    if (typeof i === 'number' && Number.isInteger(i)) return i;
    if (typeof i === 'string' && /^-?\d+$/.test(i)) {
      const n = Number(i);
      return Number.isSafeInteger(n) ? n : i;
    }
    fail(format, `intValue must be an integer or decimal string, got ${describe(i)}`, [...path, 'intValue']);
  }
  if ('boolValue' in v) return v.boolValue === true || v.boolValue === 'true';
  if ('doubleValue' in v) {
    const d = v.doubleValue;
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && !Number.isNaN(Number(d))) return Number(d);
    fail(format, `doubleValue must be a number, got ${describe(d)}`, [...path, 'doubleValue']);
  }
  if ('arrayValue' in v) {
    const values = isObject(v.arrayValue) ? arrayAt(format, v.arrayValue.values, [...path, 'arrayValue', 'values'], 'arrayValue.values') : [];
    return values.map((x, i) => anyValue(format, x, [...path, 'arrayValue', 'values', i], depth + 1));
  }
  if ('kvlistValue' in v) {
    const values = isObject(v.kvlistValue) ? arrayAt(format, v.kvlistValue.values, [...path, 'kvlistValue', 'values'], 'kvlistValue.values') : [];
    const out: Record<string, AttrValue> = {};
    values.forEach((kv, i) => {
      if (!isObject(kv) || typeof kv.key !== 'string') fail(format, 'a kvlist entry must have a string key', [...path, 'kvlistValue', 'values', i]);
      out[kv.key] = anyValue(format, kv.value, [...path, 'kvlistValue', 'values', i, 'value'], depth + 1);
    });
    return out;
  }
  if ('bytesValue' in v) return typeof v.bytesValue === 'string' ? v.bytesValue : '';
  return null; // an empty AnyValue is allowed and means "no value"
}

// ---------------------------------------------------------------------------------------------
// Encoding: spans → OTLP/JSON as the spec wants it (hex ids, integer enums, decimal-string int64).

export interface OtlpJsonDocument {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version?: string }; spans: OtlpJsonSpan[] }>;
  }>;
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } }
  | Record<string, never>;
export interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }>;
  links: Array<{ traceId: string; spanId: string; traceState?: string; attributes: OtlpKeyValue[] }>;
  status: { code: number; message?: string };
}

export function encodeAnyValue(v: AttrValue): OtlpAnyValue {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(encodeAnyValue) } };
  const map = v as Record<string, AttrValue>;
  return { kvlistValue: { values: Object.keys(map).map((key) => ({ key, value: encodeAnyValue(map[key]) })) } };
}

export function encodeAttributes(list: readonly Attribute[]): OtlpKeyValue[] {
  return list.map((a) => ({ key: a.key, value: encodeAnyValue(a.value) }));
}

/** Resource attributes with `service.name` guaranteed to match `span.service`. */
export function resourceWithService(span: Span): readonly Attribute[] {
  if (!span.service || attr(span.resource, 'service.name') === span.service) return span.resource;
  return [{ key: 'service.name', value: span.service }, ...span.resource.filter((a) => a.key !== 'service.name')];
}

/**
 * Group spans by resource and scope the way SDKs batch them: spans whose resource list is the same
 * object (decoders share it) or has the same content land in one ResourceSpans.
 */
export function groupByResourceAndScope(spans: readonly Span[]): Array<{ resource: readonly Attribute[]; scopes: Array<{ scope: InstrumentationScope; spans: Span[] }> }> {
  const groups = new Map<string, { resource: readonly Attribute[]; scopes: Map<string, { scope: InstrumentationScope; spans: Span[] }> }>();
  const keyCache = new Map<readonly Attribute[], string>();
  for (const span of spans) {
    const resource = resourceWithService(span);
    let rKey = keyCache.get(resource);
    if (rKey === undefined) {
      rKey = JSON.stringify(resource);
      keyCache.set(resource, rKey);
    }
    let g = groups.get(rKey);
    if (!g) {
      g = { resource, scopes: new Map() };
      groups.set(rKey, g);
    }
    const scope = span.scope ?? { name: '' };
    const sKey = `${scope.name}\u0000${scope.version ?? ''}`;
    let sg = g.scopes.get(sKey);
    if (!sg) {
      sg = { scope, spans: [] };
      g.scopes.set(sKey, sg);
    }
    sg.spans.push(span);
  }
  return [...groups.values()].map((g) => ({ resource: g.resource, scopes: [...g.scopes.values()] }));
}

export const KIND_NUMBER: Record<SpanKind, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
export const STATUS_NUMBER: Record<StatusCode, number> = { unset: 0, ok: 1, error: 2 };

export function encodeOtlpJson(spans: readonly Span[]): OtlpJsonDocument {
  return {
    resourceSpans: groupByResourceAndScope(spans).map((g) => ({
      resource: { attributes: encodeAttributes(g.resource) },
      scopeSpans: g.scopes.map((sg) => ({
        scope: sg.scope.version ? { name: sg.scope.name, version: sg.scope.version } : { name: sg.scope.name },
        spans: sg.spans.map(encodeSpan),
      })),
    })),
  };
}

function encodeSpan(s: Span): OtlpJsonSpan {
  const start = Number.isFinite(s.startUs) ? s.startUs : 0;
  const out: OtlpJsonSpan = {
    traceId: traceIdTo128(s.traceId),
    spanId: s.spanId,
    name: s.name,
    kind: KIND_NUMBER[s.kind],
    startTimeUnixNano: microsToNanosString(start),
    endTimeUnixNano: endNanosString(start, s.durationUs),
    attributes: encodeAttributes(s.attributes),
    events: s.events.map((e) => ({ timeUnixNano: microsToNanosString(e.timeUs), name: e.name, attributes: encodeAttributes(e.attributes) })),
    links: s.links.map((l) => {
      const link: OtlpJsonSpan['links'][number] = { traceId: traceIdTo128(l.traceId), spanId: l.spanId, attributes: encodeAttributes(l.attributes) };
      if (l.traceState) link.traceState = l.traceState;
      return link;
    }),
    status: s.status.message ? { code: STATUS_NUMBER[s.status.code], message: s.status.message } : { code: STATUS_NUMBER[s.status.code] },
  };
  if (s.parentId) out.parentSpanId = s.parentId;
  if (s.traceState) out.traceState = s.traceState;
  if (s.flags) out.flags = s.flags;
  return out;
}
