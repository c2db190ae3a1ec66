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
import { digitStringToMicros, digitsRemainder, durationMicros, endNanosString, isIntegerText, microsToNanosString } from '../time';
import { arrayAt, describe, fail, isObject, kindFromWord, objectAt, rethrowAt, statusFromWord, type JsonObject } from './common';

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

let reuseInput = false;

/**
 * Decode parsed OTLP-shaped JSON. With `ownsInput` the caller hands over a tree it just parsed and
 * will not look at again, so attribute objects are converted in place instead of copied (a third
 * fewer allocations on big traces).
 */
export function decodeOtlpJson(root: unknown, format: TraceFormat = 'otlp-json', ownsInput = false): Span[] {
  reuseInput = ownsInput;
  try {
    return decodeOtlpJsonInner(root, format);
  } finally {
    reuseInput = false;
    lastTraceIdRaw = undefined; // hold nothing of the input after decoding
    lastTraceId = '';
  }
}

function decodeOtlpJsonInner(root: unknown, format: TraceFormat): Span[] {
  const obj = objectAt(format, root, [], 'the document');
  const { list, path } = resourceSpansOf(obj, format);
  const spans: Span[] = [];
  const rsList = arrayAt(format, list, path, 'resourceSpans');
  for (let r = 0; r < rsList.length; r++) {
    try {
      decodeResourceSpans(format, rsList[r], spans);
    } catch (e) {
      rethrowAt(e, ...path, r);
    }
  }
  return spans;
}

function decodeResourceSpans(format: TraceFormat, rs: unknown, out: Span[]): void {
  if (!isObject(rs)) fail(format, `a resourceSpans entry must be an object, got ${describe(rs)}`, []);
  let resourceAttrs: readonly Attribute[] = EMPTY_ATTRIBUTES;
  if (isObject(rs.resource) && rs.resource.attributes !== undefined) {
    try {
      resourceAttrs = attributes(format, rs.resource.attributes);
    } catch (e) {
      rethrowAt(e, 'resource', 'attributes');
    }
  }
  const serviceValue = attr(resourceAttrs, 'service.name');
  const service = typeof serviceValue === 'string' ? serviceValue : '';
  // OTLP renamed instrumentationLibrarySpans to scopeSpans; Tempo 1.x and old SDKs still send the old name.
  const scopeKey = rs.scopeSpans !== undefined ? 'scopeSpans' : 'instrumentationLibrarySpans';
  const ssList = arrayAt(format, rs[scopeKey], [scopeKey], scopeKey);
  for (let s = 0; s < ssList.length; s++) {
    const ss = ssList[s];
    if (!isObject(ss)) fail(format, `a ${scopeKey} entry must be an object`, [scopeKey, s]);
    const scopeObj = isObject(ss.scope) ? ss.scope : isObject(ss.instrumentationLibrary) ? ss.instrumentationLibrary : undefined;
    let scope: InstrumentationScope | undefined;
    if (scopeObj && typeof scopeObj.name === 'string' && (scopeObj.name || scopeObj.version)) {
      scope = { name: scopeObj.name };
      if (typeof scopeObj.version === 'string' && scopeObj.version) scope = { ...scope, version: scopeObj.version };
      if (Array.isArray(scopeObj.attributes) && scopeObj.attributes.length) {
        try {
          scope = { ...scope, attributes: attributes(format, scopeObj.attributes) };
        } catch (e) {
          rethrowAt(e, scopeKey, s, 'scope', 'attributes');
        }
      }
    }
    const rawSpans = arrayAt(format, ss.spans, [scopeKey, s, 'spans'], 'spans');
    for (let k = 0; k < rawSpans.length; k++) {
      try {
        out.push(decodeSpan(format, rawSpans[k], resourceAttrs, service, scope));
      } catch (e) {
        rethrowAt(e, scopeKey, s, 'spans', k);
      }
    }
  }
}

/**
 * The trace id read last, raw and as decoded: every span repeats it, so it is checked once per run and
 * all spans of a trace share one string (which also makes the linker's grouping a pointer compare).
 */
let lastTraceIdRaw: unknown = undefined;
let lastTraceId = '';

function traceIdOf(format: TraceFormat, v: unknown): string {
  if (v === lastTraceIdRaw && typeof v === 'string') return lastTraceId;
  const id_ = id(format, v, 16, 'traceId');
  lastTraceIdRaw = v;
  lastTraceId = id_;
  return id_;
}

function decodeSpan(format: TraceFormat, raw: unknown, resource: readonly Attribute[], service: string, scope: InstrumentationScope | undefined): Span {
  if (!isObject(raw)) fail(format, `a span must be an object, got ${describe(raw)}`, []);
  const traceId = traceIdOf(format, raw.traceId);
  const spanId = id(format, raw.spanId, 8, 'spanId');
  let parentId: string | undefined;
  const rawParent = raw.parentSpanId;
  if (rawParent !== undefined && rawParent !== '' && rawParent !== null) {
    parentId = id(format, rawParent, 8, 'parentSpanId');
    if (parentId === '0000000000000000') parentId = undefined;
  }
  const startNs = raw.startTimeUnixNano;
  const endNs = raw.endTimeUnixNano;
  const startUs = micros(format, startNs, 'startTimeUnixNano');
  const endUs = micros(format, endNs, 'endTimeUnixNano');
  let durationUs = Number.isNaN(startUs) || Number.isNaN(endUs) ? NaN : durationMicros(startUs, subMicros(startNs), endUs, subMicros(endNs));
  if (durationUs < 0) durationUs = NaN; // end before start: let linking report it rather than draw a negative bar
  let attrs: readonly Attribute[] = EMPTY_ATTRIBUTES;
  if (raw.attributes !== undefined) {
    try {
      attrs = attributes(format, raw.attributes);
    } catch (e) {
      rethrowAt(e, 'attributes');
    }
  }
  const span: Span = {
    traceId,
    spanId,
    name: typeof raw.name === 'string' ? raw.name : '',
    service,
    kind: kind(format, raw.kind),
    startUs,
    durationUs,
    attributes: attrs,
    resource,
    events: raw.events === undefined || (Array.isArray(raw.events) && raw.events.length === 0) ? NO_EVENTS : events(format, raw.events),
    links: raw.links === undefined || (Array.isArray(raw.links) && raw.links.length === 0) ? NO_LINKS : links(format, raw.links),
    status: status(format, raw.status),
  };
  if (parentId) span.parentId = parentId;
  if (scope) span.scope = scope;
  if (typeof raw.traceState === 'string' && raw.traceState) span.traceState = raw.traceState;
  if (typeof raw.flags === 'number' && raw.flags) span.flags = raw.flags;
  return span;
}

function id(format: TraceFormat, v: unknown, bytes: 8 | 16, what: string): string {
  if (typeof v !== 'string' || v === '') fail(format, `${what} is required and must be a string, got ${describe(v)}`, [what]);
  const hex = idFromOtlpJson(v, bytes);
  if (hex === null) fail(format, `${what} must be ${bytes * 2} hex digits or base64 of ${bytes} bytes, got ${describe(v)}`, [what]);
  return hex;
}

/**
 * Whole µs of a nanosecond time: a decimal string (checked and converted in one pass: this runs twice
 * per span) or a non-negative number; NaN when absent.
 */
function micros(format: TraceFormat, v: unknown, what: string): number {
  if (v === undefined || v === null) return NaN;
  if (typeof v === 'string') {
    const us = digitStringToMicros(v);
    if (us >= 0) return us;
  } else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    // A JSON number this big was already rounded by the parser: round to the nearest µs (as nanosToMicros).
    return Math.round(v / 1000);
  }
  fail(format, `nanosecond time must be a non-negative integer or decimal string, got ${describe(v)}`, [what]);
}

/** Leftover nanoseconds (0–999) of a time `micros` accepted; a number carries none exactly. */
function subMicros(ns: unknown): number {
  return typeof ns === 'string' ? digitsRemainder(ns) : 0;
}

function kind(format: TraceFormat, v: unknown): SpanKind {
  if (v === undefined || v === null) return 'unspecified';
  if (typeof v === 'number' && KIND_BY_NUMBER[v]) return KIND_BY_NUMBER[v];
  if (typeof v === 'string') {
    const k = kindFromWord(v);
    if (k) return k;
  }
  fail(format, `kind must be 0–5 or a SPAN_KIND_* name, got ${describe(v)}`, ['kind']);
}

function status(format: TraceFormat, v: unknown): Span['status'] {
  if (!isObject(v)) return STATUS_UNSET;
  let code: StatusCode = 'unset';
  if (typeof v.code === 'number' && STATUS_BY_NUMBER[v.code]) code = STATUS_BY_NUMBER[v.code];
  else if (typeof v.code === 'string') {
    const c = statusFromWord(v.code);
    if (!c) fail(format, `status code must be 0–2 or a STATUS_CODE_* name, got ${describe(v.code)}`, ['status', 'code']);
    code = c;
  } else if (v.code !== undefined && v.code !== null) fail(format, `status code must be 0–2, got ${describe(v.code)}`, ['status', 'code']);
  if (typeof v.message === 'string' && v.message) return { code, message: v.message };
  return code === 'unset' ? STATUS_UNSET : code === 'ok' ? STATUS_OK : STATUS_ERROR;
}

// Shared empty lists: most spans have no events or links, and the model treats lists as read-only.
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);

// Shared, frozen status objects: most spans have one of these three.
const STATUS_UNSET: Span['status'] = Object.freeze({ code: 'unset' as const });
const STATUS_OK: Span['status'] = Object.freeze({ code: 'ok' as const });
const STATUS_ERROR: Span['status'] = Object.freeze({ code: 'error' as const });

function events(format: TraceFormat, v: unknown): SpanEvent[] {
  const list = arrayAt(format, v, ['events'], 'events');
  const out: SpanEvent[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    try {
      const e = objectAt(format, list[i], [], 'an event');
      out[i] = {
        timeUs: micros(format, e.timeUnixNano, 'timeUnixNano'),
        name: typeof e.name === 'string' ? e.name : '',
        attributes: e.attributes === undefined ? EMPTY_ATTRIBUTES : attributesAt(format, e.attributes),
      };
    } catch (err) {
      rethrowAt(err, 'events', i);
    }
  }
  return out;
}

function links(format: TraceFormat, v: unknown): SpanLink[] {
  const list = arrayAt(format, v, ['links'], 'links');
  const out: SpanLink[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    try {
      const l = objectAt(format, list[i], [], 'a link');
      const link: SpanLink = {
        traceId: id(format, l.traceId, 16, 'traceId'),
        spanId: id(format, l.spanId, 8, 'spanId'),
        attributes: l.attributes === undefined ? EMPTY_ATTRIBUTES : attributesAt(format, l.attributes),
      };
      out[i] = typeof l.traceState === 'string' && l.traceState ? { ...link, traceState: l.traceState } : link;
    } catch (err) {
      rethrowAt(err, 'links', i);
    }
  }
  return out;
}

/** `attributes` below a key called "attributes". */
function attributesAt(format: TraceFormat, v: unknown): Attribute[] {
  try {
    return attributes(format, v);
  } catch (e) {
    rethrowAt(e, 'attributes');
  }
}

/** An OTLP KeyValue list; error paths are relative to the list. */
export function attributes(format: TraceFormat, v: unknown): Attribute[] {
  const list = arrayAt(format, v, [], 'attributes');
  // An owned list becomes the model's list, element by element: no second array per span.
  const out: Attribute[] = reuseInput ? (list as Attribute[]) : new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    if (!isObject(kv) || typeof kv.key !== 'string') fail(format, `an attribute must be {"key": string, "value": AnyValue}, got ${describe(kv)}`, [i]);
    try {
      const value = anyValue(format, kv.value, 0);
      if (reuseInput) {
        // The parsed KeyValue already has the model's shape {key, value}: convert it in place.
        kv.value = value;
        out[i] = kv as unknown as Attribute;
      } else out[i] = { key: kv.key, value };
    } catch (e) {
      rethrowAt(e, i, 'value');
    }
  }
  return out;
}

/** OTLP AnyValue → model value. int64 stays a decimal string when a number would round it. */
function anyValue(format: TraceFormat, v: unknown, depth: number): AttrValue {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) fail(format, `an attribute value must be an AnyValue object, got ${describe(v)}`, []);
  const s = v.stringValue;
  if (s !== undefined) return typeof s === 'string' ? s : String(s);
  if (depth > MAX_VALUE_DEPTH) fail(format, `attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`, []);
  const i = v.intValue;
  if (i !== undefined) {
    if (typeof i === 'number' && Number.isInteger(i)) return i;
    if (typeof i === 'string' && isIntegerText(i)) {
      const n = Number(i);
      return Number.isSafeInteger(n) ? n : i;
    }
    fail(format, `intValue must be an integer or decimal string, got ${describe(i)}`, ['intValue']);
  }
  if ('boolValue' in v) return v.boolValue === true || v.boolValue === 'true';
  if ('doubleValue' in v) {
    const d = v.doubleValue;
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && !Number.isNaN(Number(d))) return Number(d);
    fail(format, `doubleValue must be a number, got ${describe(d)}`, ['doubleValue']);
  }
  if ('arrayValue' in v) {
    const values = isObject(v.arrayValue) ? arrayAt(format, v.arrayValue.values, ['arrayValue', 'values'], 'arrayValue.values') : [];
    const out: AttrValue[] = new Array(values.length);
    for (let k = 0; k < values.length; k++) {
      try {
        out[k] = anyValue(format, values[k], depth + 1);
      } catch (e) {
        rethrowAt(e, 'arrayValue', 'values', k);
      }
    }
    return out;
  }
  if ('kvlistValue' in v) {
    const values = isObject(v.kvlistValue) ? arrayAt(format, v.kvlistValue.values, ['kvlistValue', 'values'], 'kvlistValue.values') : [];
    const out: Record<string, AttrValue> = {};
    for (let k = 0; k < values.length; k++) {
      const kv = values[k];
      if (!isObject(kv) || typeof kv.key !== 'string') fail(format, 'a kvlist entry must have a string key', ['kvlistValue', 'values', k]);
      try {
        out[kv.key] = anyValue(format, kv.value, depth + 1);
      } catch (e) {
        rethrowAt(e, 'kvlistValue', 'values', k, 'value');
      }
    }
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
