/**
 * What OpenTelemetry Python's `ConsoleSpanExporter` prints: `span.to_json()` objects one after
 * another (not an array), `0x`-prefixed hex ids, ISO-8601 UTC times with microseconds,
 * `SpanKind.X` kinds, `UNSET|OK|ERROR` status. SDK 1.3 printed the resource as a flat map; newer
 * SDKs print `{"attributes": {…}, "schema_url": ""}` — both are read.
 */
import { normalizeSpanId, normalizeTraceId } from '../ids';
import type { JsonPath } from '../json/scanner';
import type { Attribute, Span, SpanKind } from '../model';
import { EMPTY_ATTRIBUTES } from '../model';
import { isoToMicros } from '../time';
import { arrayAt, describe, fail, isObject, kindFromWord, objectAt, plainAttributes, statusFromWord, type JsonObject } from './common';

const F = 'otel-python-console' as const;

export function looksLikeOtelConsole(v: unknown): boolean {
  return isObject(v) && isObject(v.context) && typeof v.context.span_id === 'string' && 'start_time' in v;
}

/** Decode a list of console span objects (each already parsed); `paths[i]` locates value i. */
export function decodeOtelConsole(values: readonly unknown[], paths?: readonly JsonPath[]): Span[] {
  const resourceCache = new Map<string, { resource: Attribute[]; service: string }>();
  return values.map((v, i) => decodeConsoleSpan(v, paths?.[i] ?? [i], resourceCache));
}

function hexId(v: unknown, path: JsonPath, what: string, trace: boolean): string {
  if (typeof v !== 'string') fail(F, `${what} must be a 0x-prefixed hex string, got ${describe(v)}`, path);
  const id = trace ? normalizeTraceId(v) : normalizeSpanId(v);
  if (!id) fail(F, `${what} must be hex, got ${describe(v)}`, path);
  return id;
}

function time(v: unknown, path: JsonPath, what: string): number {
  if (v === undefined || v === null) return NaN;
  const us = typeof v === 'string' ? isoToMicros(v) : NaN;
  if (Number.isNaN(us)) fail(F, `${what} must be an ISO-8601 time like 2021-07-07T23:57:22.572984Z, got ${describe(v)}`, path);
  return us;
}

function decodeConsoleSpan(v: unknown, path: JsonPath, cache: Map<string, { resource: Attribute[]; service: string }>): Span {
  const o = objectAt(F, v, path, 'a console span');
  const ctx = objectAt(F, o.context, [...path, 'context'], 'context');
  const traceId = hexId(ctx.trace_id, [...path, 'context', 'trace_id'], 'trace_id', true);
  const spanId = hexId(ctx.span_id, [...path, 'context', 'span_id'], 'span_id', false);
  const parentId = o.parent_id === null || o.parent_id === undefined ? undefined : hexId(o.parent_id, [...path, 'parent_id'], 'parent_id', false);

  let kind: SpanKind = 'unspecified';
  if (typeof o.kind === 'string') {
    const k = kindFromWord(o.kind);
    if (!k) fail(F, `kind must be SpanKind.INTERNAL|SERVER|CLIENT|PRODUCER|CONSUMER, got ${describe(o.kind)}`, [...path, 'kind']);
    kind = k;
  }
  const start = time(o.start_time, [...path, 'start_time'], 'start_time');
  const end = time(o.end_time, [...path, 'end_time'], 'end_time');

  // The resource: newer SDKs nest it under "attributes"; 1.x printed the map itself.
  const resObj: unknown = isObject(o.resource) && isObject(o.resource.attributes) ? o.resource.attributes : o.resource;
  const resKey = JSON.stringify(resObj ?? null);
  let res = cache.get(resKey);
  if (!res) {
    const resource = plainAttributes(resObj);
    const svc = resource.find((a) => a.key === 'service.name');
    res = { resource, service: typeof svc?.value === 'string' ? svc.value : '' };
    cache.set(resKey, res);
  }

  const status = isObject(o.status) ? o.status : {};
  const code = typeof status.status_code === 'string' ? statusFromWord(status.status_code) ?? 'unset' : 'unset';
  const events = arrayAt(F, o.events, [...path, 'events'], 'events').map((e, i) => {
    const ev = objectAt(F, e, [...path, 'events', i], 'an event');
    return { timeUs: time(ev.timestamp, [...path, 'events', i, 'timestamp'], 'event timestamp'), name: typeof ev.name === 'string' ? ev.name : '', attributes: plainAttributes(ev.attributes) };
  });
  const links = arrayAt(F, o.links, [...path, 'links'], 'links').map((l, i) => {
    const lo = objectAt(F, l, [...path, 'links', i], 'a link');
    const lctx: JsonObject = objectAt(F, lo.context, [...path, 'links', i, 'context'], 'link context');
    return {
      traceId: hexId(lctx.trace_id, [...path, 'links', i, 'context', 'trace_id'], 'link trace_id', true),
      spanId: hexId(lctx.span_id, [...path, 'links', i, 'context', 'span_id'], 'link span_id', false),
      attributes: plainAttributes(lo.attributes),
    };
  });

  const span: Span = {
    traceId,
    spanId,
    name: typeof o.name === 'string' ? o.name : '',
    service: res.service,
    kind,
    startUs: start,
    durationUs: end - start,
    attributes: isObject(o.attributes) && Object.keys(o.attributes).length ? plainAttributes(o.attributes) : EMPTY_ATTRIBUTES,
    resource: res.resource,
    events,
    links,
    status: typeof status.description === 'string' && status.description ? { code, message: status.description } : { code },
  };
  if (parentId) span.parentId = parentId;
  if (typeof ctx.trace_state === 'string' && ctx.trace_state !== '[]') span.traceState = ctx.trace_state;
  return span;
}
