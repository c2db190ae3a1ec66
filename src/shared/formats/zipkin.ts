/**
 * Zipkin v2 JSON: a span, a list of spans (`POST /api/v2/spans`, `GET /api/v2/trace/{id}`), or a list
 * of traces (`GET /api/v2/traces`). Zipkin accepts ids of 1–16/32 hex digits and left-pads them
 * (the reference payloads use `"id": "1234"`), so the decoder does the same.
 */
import { normalizeSpanId, normalizeTraceId } from '../ids';
import type { JsonPath } from '../json/scanner';
import type { Attribute, AttrValue, Endpoint, Span, SpanEvent, SpanKind } from '../model';
import { EMPTY_ATTRIBUTES, attrText } from '../model';
import { arrayAt, describe, fail, isObject, numberLike, ResourceCache, statusFromWord } from './common';

const F = 'zipkin-v2' as const;
const KINDS: Record<string, SpanKind> = { CLIENT: 'client', SERVER: 'server', PRODUCER: 'producer', CONSUMER: 'consumer' };

/** Is this parsed JSON shaped like Zipkin v2 (a span, spans, or traces of spans)? */
export function looksLikeZipkin(v: unknown): boolean {
  const first = Array.isArray(v) ? (Array.isArray(v[0]) ? v[0][0] : v[0]) : v;
  // Only `traceId` is required to call it Zipkin: a missing `id` is then reported by the decoder, precisely.
  return isObject(first) && 'traceId' in first && !('spanId' in first) && !('spans' in first);
}

export function decodeZipkin(root: unknown): Span[] {
  const resources = new ResourceCache();
  const out: Span[] = [];
  if (isObject(root)) {
    out.push(decodeZipkinSpan(root, [], resources));
    return out;
  }
  if (!Array.isArray(root)) fail(F, `expected a list of Zipkin spans, got ${describe(root)}`, []);
  for (let i = 0; i < root.length; i++) {
    const item = root[i];
    if (Array.isArray(item)) {
      // GET /api/v2/traces returns a list of traces, each a list of spans.
      for (let j = 0; j < item.length; j++) out.push(decodeZipkinSpan(item[j], [i, j], resources));
    } else out.push(decodeZipkinSpan(item, [i], resources));
  }
  return out;
}

function decodeZipkinSpan(raw: unknown, path: JsonPath, resources: ResourceCache): Span {
  if (!isObject(raw)) fail(F, `a Zipkin span must be an object, got ${describe(raw)}`, path);
  const traceIdRaw = raw.traceId;
  if (typeof traceIdRaw !== 'string') fail(F, `traceId is required and must be a hex string, got ${describe(traceIdRaw)}`, [...path, 'traceId']);
  let traceId = normalizeTraceId(traceIdRaw);
  if (!traceId || traceIdRaw.startsWith('0x')) fail(F, `traceId must be 1–32 hex digits and not all zeros, got ${describe(traceIdRaw)}`, [...path, 'traceId']);
  // Zipkin stores a 128-bit id whose high half is zero as the 64-bit id.
  if (traceId.length === 32 && traceId.startsWith('0000000000000000')) traceId = traceId.slice(16);
  const spanId = zipkinId(raw.id, [...path, 'id'], 'id', true)!;
  let parentId = zipkinId(raw.parentId, [...path, 'parentId'], 'parentId', false);
  if (parentId === spanId) parentId = undefined; // Zipkin drops a self-parent

  const endpoint = endpointOf(raw.localEndpoint, [...path, 'localEndpoint']);
  const remote = endpointOf(raw.remoteEndpoint, [...path, 'remoteEndpoint']);
  const service = endpoint?.serviceName ?? '';

  let kind: SpanKind = 'unspecified';
  if (raw.kind !== undefined && raw.kind !== null) {
    if (typeof raw.kind !== 'string' || !KINDS[raw.kind.toUpperCase()]) fail(F, `kind must be CLIENT, SERVER, PRODUCER or CONSUMER, got ${describe(raw.kind)}`, [...path, 'kind']);
    kind = KINDS[raw.kind.toUpperCase()];
  }

  const timestamp = numberLike(F, raw.timestamp, [...path, 'timestamp'], 'timestamp');
  const duration = numberLike(F, raw.duration, [...path, 'duration'], 'duration');

  // Tags become string attributes; the few with meaning in the model are lifted out of them.
  const tags: Attribute[] = [];
  let statusCode: Span['status']['code'] = 'unset';
  let statusMessage: string | undefined;
  if (raw.tags !== undefined && raw.tags !== null) {
    if (!isObject(raw.tags)) fail(F, `tags must be an object of strings, got ${describe(raw.tags)}`, [...path, 'tags']);
    for (const key of Object.keys(raw.tags)) {
      const value = raw.tags[key];
      if (value === null || typeof value === 'object') fail(F, `tag "${key}" must be a string, got ${describe(value)}`, [...path, 'tags', key]);
      const text = String(value);
      if (key === 'span.kind' && text === 'internal' && kind === 'unspecified') {
        kind = 'internal';
        continue;
      }
      if (key === 'otel.status_code') {
        statusCode = statusFromWord(text) ?? statusCode;
        continue;
      }
      if (key === 'otel.status_description') {
        statusMessage = text;
        continue;
      }
      if (key === 'error') {
        // Zipkin: any `error` tag marks the span failed; its value is the message unless it is just "true".
        statusCode = 'error';
        if (text && text !== 'true') statusMessage = statusMessage ?? text;
      }
      tags.push({ key, value: text });
    }
  }

  const events: SpanEvent[] = [];
  const anns = arrayAt(F, raw.annotations, [...path, 'annotations'], 'annotations');
  for (let i = 0; i < anns.length; i++) {
    const a = anns[i];
    if (!isObject(a) || typeof a.value !== 'string') fail(F, 'an annotation needs a string "value" and a "timestamp" in microseconds', [...path, 'annotations', i]);
    const ts = numberLike(F, a.timestamp, [...path, 'annotations', i, 'timestamp'], 'annotation timestamp');
    if (Number.isNaN(ts)) fail(F, 'an annotation needs a "timestamp" in microseconds', [...path, 'annotations', i]);
    events.push(annotationToEvent(ts, a.value));
  }

  const span: Span = {
    traceId,
    spanId,
    name: typeof raw.name === 'string' ? raw.name : '',
    service,
    kind,
    startUs: timestamp,
    durationUs: duration,
    attributes: tags.length ? tags : EMPTY_ATTRIBUTES,
    resource: resources.forService(service),
    events,
    links: [],
    status: statusMessage && statusCode !== 'unset' ? { code: statusCode, message: statusMessage } : { code: statusCode },
  };
  if (parentId) span.parentId = parentId;
  if (raw.shared === true) span.shared = true;
  if (raw.debug === true) span.debug = true;
  if (endpoint) span.localEndpoint = endpoint;
  if (remote) span.remoteEndpoint = remote;
  return span;
}

function zipkinId(v: unknown, path: JsonPath, what: string, required: boolean): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) fail(F, `${what} is required`, path);
    return undefined;
  }
  if (typeof v !== 'string') fail(F, `${what} must be a hex string, got ${describe(v)}`, path);
  if (v.startsWith('0x')) fail(F, `${what} must be hex without a 0x prefix, got ${describe(v)}`, path);
  const id = normalizeSpanId(v);
  if (id === null) {
    if (!required && /^0+$/.test(v)) return undefined; // an all-zero parent means "no parent"
    fail(F, `${what} must be 1–16 hex digits and not all zeros, got ${describe(v)}`, path);
  }
  return id;
}

function endpointOf(v: unknown, path: JsonPath): Endpoint | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(F, `an endpoint must be an object, got ${describe(v)}`, path);
  const e: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number } = {};
  if (typeof v.serviceName === 'string' && v.serviceName) e.serviceName = v.serviceName;
  if (typeof v.ipv4 === 'string' && v.ipv4) e.ipv4 = v.ipv4;
  if (typeof v.ipv6 === 'string' && v.ipv6) e.ipv6 = v.ipv6;
  if (typeof v.port === 'number' && v.port > 0) e.port = v.port;
  return Object.keys(e).length ? e : undefined;
}

/**
 * Events with attributes, as exporters write them into a Zipkin annotation: the collector as
 * `name|{json}|dropped`, the OpenTelemetry Python Zipkin exporter as `{"name": {attributes}}`. Split
 * either back into a named event with its attributes.
 */
function annotationToEvent(timeUs: number, value: string): SpanEvent {
  if (value.startsWith('{"') && value.endsWith('}}')) {
    try {
      const parsed: unknown = JSON.parse(value);
      const keys = isObject(parsed) ? Object.keys(parsed) : [];
      const attrs = keys.length === 1 && isObject(parsed) ? parsed[keys[0]] : undefined;
      if (isObject(attrs)) return { timeUs, name: keys[0], attributes: Object.keys(attrs).map((key) => ({ key, value: attrs[key] as AttrValue })) };
    } catch {
      // an annotation that merely looks like JSON: keep it as its text
    }
  }
  const tail = /\|\d+$/.exec(value);
  if (tail && value[tail.index - 1] === '}') {
    // The name itself may contain "|{", so try each split point from the left until the middle parses.
    for (let at = value.indexOf('|{'); at >= 0 && at < tail.index; at = value.indexOf('|{', at + 1)) {
      try {
        const parsed: unknown = JSON.parse(value.slice(at + 1, tail.index));
        if (isObject(parsed)) {
          return { timeUs, name: value.slice(0, at), attributes: Object.keys(parsed).map((key) => ({ key, value: parsed[key] as AttrValue })) };
        }
      } catch {
        // not a JSON object from here: try the next split point
      }
    }
  }
  return { timeUs, name: value, attributes: EMPTY_ATTRIBUTES };
}

// ---------------------------------------------------------------------------------------------
// Encoding for POST /api/v2/spans: lowercase hex ids, no INTERNAL kind, string tag values,
// integer microseconds with duration >= 1, no empty endpoints.

export interface ZipkinSpanJson {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: Endpoint;
  remoteEndpoint?: Endpoint;
  annotations?: Array<{ timestamp: number; value: string }>;
  tags?: Record<string, string>;
  shared?: boolean;
  debug?: boolean;
}

export function encodeZipkin(spans: readonly Span[]): ZipkinSpanJson[] {
  return spans.map(encodeZipkinSpan);
}

function encodeZipkinSpan(s: Span): ZipkinSpanJson {
  const out: ZipkinSpanJson = { traceId: s.traceId.toLowerCase(), id: s.spanId.toLowerCase() };
  if (s.parentId) out.parentId = s.parentId.toLowerCase();
  if (s.kind === 'client' || s.kind === 'server' || s.kind === 'producer' || s.kind === 'consumer') {
    out.kind = s.kind.toUpperCase() as ZipkinSpanJson['kind'];
  }
  if (s.name) out.name = s.name;
  if (Number.isFinite(s.startUs)) out.timestamp = Math.floor(s.startUs);
  if (Number.isFinite(s.durationUs)) out.duration = Math.max(1, Math.round(s.durationUs));
  const local: Endpoint = { ...(s.localEndpoint ?? {}), ...(s.service ? { serviceName: s.service } : {}) };
  if (Object.keys(local).length) out.localEndpoint = local;
  let remote = s.remoteEndpoint;
  const peer = s.attributes.find((a) => a.key === 'peer.service');
  if (!remote?.serviceName && peer && typeof peer.value === 'string') remote = { ...(remote ?? {}), serviceName: peer.value };
  if (remote && Object.keys(remote).length) out.remoteEndpoint = remote;
  if (s.events.length) {
    out.annotations = s.events
      .filter((e) => Number.isFinite(e.timeUs))
      .map((e) => ({
        timestamp: Math.floor(e.timeUs),
        value: e.attributes.length ? `${e.name}|${JSON.stringify(Object.fromEntries(e.attributes.map((a) => [a.key, a.value])))}|0` : e.name,
      }));
  }
  const tags: Record<string, string> = {};
  for (const a of s.resource) if (a.key !== 'service.name') tags[a.key] = attrText(a.value);
  for (const a of s.attributes) tags[a.key] = attrText(a.value);
  if (s.kind === 'internal') tags['span.kind'] = 'internal';
  if (s.status.code === 'error' && tags.error === undefined) tags.error = s.status.message || 'true';
  if (s.status.code === 'error' && s.status.message && tags.error !== s.status.message) tags['otel.status_description'] = s.status.message;
  if (s.status.code === 'ok') tags['otel.status_code'] = 'OK';
  if (Object.keys(tags).length) out.tags = tags;
  if (s.shared && s.kind !== 'client') out.shared = true;
  if (s.debug) out.debug = true;
  return out;
}
