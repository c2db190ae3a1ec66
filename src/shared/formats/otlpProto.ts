/**
 * OTLP protobuf (`ExportTraceServiceRequest`, what SDKs send to /v1/traces by default), read and
 * written with protobufjs's wire-level Reader/Writer straight into the model: no generated classes
 * and no intermediate message objects, so a span is decoded once. Field numbers are those of
 * opentelemetry-proto `trace/v1/trace.proto`, `common/v1/common.proto`, `resource/v1/resource.proto`.
 */
import Long from 'long';
import * as protobuf from 'protobufjs/minimal';
import { TraceDecodeError } from '../errors';
import { bytesToBase64, bytesToHex, hexToBytes, traceIdTo128 } from '../ids';
import type { Attribute, AttrValue, InstrumentationScope, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../model';
import { EMPTY_ATTRIBUTES, attr } from '../model';
import { durationMicros, endNanosString, microsToNanosString } from '../time';
import { KIND_NUMBER, STATUS_NUMBER, groupByResourceAndScope } from './otlpJson';

// int64 attribute values must not be rounded: make protobufjs hand out Long objects.
protobuf.util.Long = Long;
protobuf.configure();

const F = 'otlp-proto' as const;
const KIND_BY_NUMBER: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_BY_NUMBER: StatusCode[] = ['unset', 'ok', 'error'];
const MAX_VALUE_DEPTH = 64;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

type Reader = protobuf.Reader;

export function decodeOtlpProto(bytes: Uint8Array): Span[] {
  const reader = protobuf.Reader.create(bytes);
  const spans: Span[] = [];
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) readResourceSpans(reader, reader.uint32() + reader.pos, spans);
      else skip(reader, tag);
    }
  } catch (e) {
    if (e instanceof TraceDecodeError) throw e;
    throw new TraceDecodeError(F, `not a valid OTLP protobuf ExportTraceServiceRequest: ${e instanceof Error ? e.message : String(e)}`, undefined, { offset: reader.pos });
  }
  return spans;
}

function skip(reader: Reader, tag: number): void {
  const wire = tag & 7;
  if (tag >>> 3 === 0 || wire === 3 || wire === 4 || wire > 5) {
    throw new TraceDecodeError(F, `invalid protobuf field tag ${tag} (wire type ${wire})`, undefined, { offset: reader.pos });
  }
  reader.skipType(wire);
}

function expectWire(reader: Reader, tag: number, wire: number, what: string): void {
  if ((tag & 7) !== wire) throw new TraceDecodeError(F, `${what} has wire type ${tag & 7}, expected ${wire}`, undefined, { offset: reader.pos });
}

function readResourceSpans(reader: Reader, end: number, out: Span[]): void {
  let resource: readonly Attribute[] = EMPTY_ATTRIBUTES;
  const scopeBlocks: Array<[number, number]> = [];
  // The resource may follow the scopes on the wire; remember where scope blocks are and read them after.
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1) {
      expectWire(reader, tag, WIRE_LEN, 'resource');
      resource = readResource(reader, reader.uint32() + reader.pos);
    } else if (field === 2 || field === 1000) {
      // 1000 = the deprecated instrumentation_library_spans, same layout
      expectWire(reader, tag, WIRE_LEN, 'scope_spans');
      const len = reader.uint32();
      scopeBlocks.push([reader.pos, reader.pos + len]);
      reader.skip(len);
    } else skip(reader, tag);
  }
  const serviceValue = attr(resource, 'service.name');
  const service = typeof serviceValue === 'string' ? serviceValue : '';
  for (const [start, stop] of scopeBlocks) {
    reader.pos = start;
    readScopeSpans(reader, stop, resource, service, out);
  }
  reader.pos = end;
}

function readResource(reader: Reader, end: number): Attribute[] {
  const attrs: Attribute[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      expectWire(reader, tag, WIRE_LEN, 'resource attribute');
      attrs.push(readKeyValue(reader, reader.uint32() + reader.pos, 0));
    } else skip(reader, tag);
  }
  return attrs;
}

function readScopeSpans(reader: Reader, end: number, resource: readonly Attribute[], service: string, out: Span[]): void {
  let scope: InstrumentationScope | undefined;
  const spanBlocks: Array<[number, number]> = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1) {
      expectWire(reader, tag, WIRE_LEN, 'scope');
      scope = readScope(reader, reader.uint32() + reader.pos);
    } else if (field === 2) {
      expectWire(reader, tag, WIRE_LEN, 'span');
      const len = reader.uint32();
      spanBlocks.push([reader.pos, reader.pos + len]);
      reader.skip(len);
    } else skip(reader, tag);
  }
  for (const [start, stop] of spanBlocks) {
    reader.pos = start;
    out.push(readSpan(reader, stop, resource, service, scope));
  }
  reader.pos = end;
}

function readScope(reader: Reader, end: number): InstrumentationScope | undefined {
  let name = '';
  let version: string | undefined;
  const attrs: Attribute[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: name = reader.string(); break;
      case 2: version = reader.string() || undefined; break;
      case 3: attrs.push(readKeyValue(reader, reader.uint32() + reader.pos, 0)); break;
      default: skip(reader, tag);
    }
  }
  if (!name && !version && !attrs.length) return undefined;
  const scope: { name: string; version?: string; attributes?: Attribute[] } = { name };
  if (version) scope.version = version;
  if (attrs.length) scope.attributes = attrs;
  return scope;
}

/** fixed64 nanoseconds as [whole µs, leftover ns], computed without a float of the full value. */
function readNanos(reader: Reader): [number, number] {
  const low = reader.fixed32();
  const high = reader.fixed32();
  // ns = high·2^32 + low and 2^32 = 4294967·1000 + 296, so µs = high·4294967 + ⌊(high·296 + low)/1000⌋.
  const rest = high * 296 + low;
  return [high * 4294967 + Math.floor(rest / 1000), rest % 1000];
}

function readId(reader: Reader, bytes: number, what: string): string {
  const b = reader.bytes();
  if (b.length === 0) return '';
  if (b.length !== bytes) throw new TraceDecodeError(F, `${what} must be ${bytes} bytes, got ${b.length}`, undefined, { offset: reader.pos });
  return bytesToHex(b);
}

function readSpan(reader: Reader, end: number, resource: readonly Attribute[], service: string, scope: InstrumentationScope | undefined): Span {
  const spanStart = reader.pos;
  let traceId = '';
  let spanId = '';
  let parentId = '';
  let name = '';
  let kind: SpanKind = 'unspecified';
  let start: [number, number] | undefined;
  let stop: [number, number] | undefined;
  let attributes: Attribute[] | undefined;
  const events: SpanEvent[] = [];
  const links: SpanLink[] = [];
  let status: Span['status'] = { code: 'unset' };
  let traceState = '';
  let flags = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: traceId = readId(reader, 16, 'trace_id'); break;
      case 2: spanId = readId(reader, 8, 'span_id'); break;
      case 3: traceState = reader.string(); break;
      case 4: parentId = readId(reader, 8, 'parent_span_id'); break;
      case 5: name = reader.string(); break;
      case 6: kind = KIND_BY_NUMBER[reader.int32()] ?? 'unspecified'; break;
      case 7: expectWire(reader, tag, WIRE_FIXED64, 'start_time_unix_nano'); start = readNanos(reader); break;
      case 8: expectWire(reader, tag, WIRE_FIXED64, 'end_time_unix_nano'); stop = readNanos(reader); break;
      case 9: (attributes ??= []).push(readKeyValue(reader, reader.uint32() + reader.pos, 0)); break;
      case 11: events.push(readEvent(reader, reader.uint32() + reader.pos)); break;
      case 13: links.push(readLink(reader, reader.uint32() + reader.pos)); break;
      case 15: status = readStatus(reader, reader.uint32() + reader.pos); break;
      case 16: expectWire(reader, tag, WIRE_FIXED32, 'flags'); flags = reader.fixed32(); break;
      default: skip(reader, tag);
    }
  }
  if (!traceId) throw new TraceDecodeError(F, 'a span has no trace_id', undefined, { offset: spanStart });
  if (!spanId) throw new TraceDecodeError(F, 'a span has no span_id', undefined, { offset: spanStart });
  const startUs = start ? start[0] : NaN;
  const durationUs = start && stop ? durationMicros(start[0], start[1], stop[0], stop[1]) : NaN;
  const span: Span = {
    traceId,
    spanId,
    name,
    service,
    kind,
    startUs,
    durationUs: durationUs < 0 ? NaN : durationUs,
    attributes: attributes ?? EMPTY_ATTRIBUTES,
    resource,
    events,
    links,
    status,
  };
  if (parentId && !/^0+$/.test(parentId)) span.parentId = parentId;
  if (scope) span.scope = scope;
  if (traceState) span.traceState = traceState;
  if (flags) span.flags = flags;
  return span;
}

function readEvent(reader: Reader, end: number): SpanEvent {
  let timeUs = NaN;
  let name = '';
  const attributes: Attribute[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: expectWire(reader, tag, WIRE_FIXED64, 'time_unix_nano'); timeUs = readNanos(reader)[0]; break;
      case 2: name = reader.string(); break;
      case 3: attributes.push(readKeyValue(reader, reader.uint32() + reader.pos, 0)); break;
      default: skip(reader, tag);
    }
  }
  return { timeUs, name, attributes: attributes.length ? attributes : EMPTY_ATTRIBUTES };
}

function readLink(reader: Reader, end: number): SpanLink {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  const attributes: Attribute[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: traceId = readId(reader, 16, 'link trace_id'); break;
      case 2: spanId = readId(reader, 8, 'link span_id'); break;
      case 3: traceState = reader.string(); break;
      case 4: attributes.push(readKeyValue(reader, reader.uint32() + reader.pos, 0)); break;
      default: skip(reader, tag);
    }
  }
  return traceState ? { traceId, spanId, traceState, attributes } : { traceId, spanId, attributes };
}

function readStatus(reader: Reader, end: number): Span['status'] {
  let code: StatusCode = 'unset';
  let message = '';
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 2: message = reader.string(); break;
      case 3: code = STATUS_BY_NUMBER[reader.int32()] ?? 'unset'; break;
      default: skip(reader, tag);
    }
  }
  return message ? { code, message } : { code };
}

function readKeyValue(reader: Reader, end: number, depth: number): Attribute {
  let key = '';
  let value: AttrValue = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: key = reader.string(); break;
      case 2: value = readAnyValue(reader, reader.uint32() + reader.pos, depth); break;
      default: skip(reader, tag);
    }
  }
  return { key, value };
}

function readAnyValue(reader: Reader, end: number, depth: number): AttrValue {
  if (depth > MAX_VALUE_DEPTH) throw new TraceDecodeError(F, `attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`, undefined, { offset: reader.pos });
  let value: AttrValue = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: value = reader.string(); break;
      case 2: value = reader.bool(); break;
      case 3: {
        const v = reader.int64() as unknown as Long | number;
        if (typeof v === 'number') value = v;
        else {
          const n = v.toNumber();
          value = Number.isSafeInteger(n) ? n : v.toString();
        }
        break;
      }
      case 4: expectWire(reader, tag, WIRE_FIXED64, 'double_value'); value = reader.double(); break;
      case 5: {
        const stop = reader.uint32() + reader.pos;
        const list: AttrValue[] = [];
        while (reader.pos < stop) {
          const t = reader.uint32();
          if (t >>> 3 === 1) list.push(readAnyValue(reader, reader.uint32() + reader.pos, depth + 1));
          else skip(reader, t);
        }
        value = list;
        break;
      }
      case 6: {
        const stop = reader.uint32() + reader.pos;
        const map: Record<string, AttrValue> = {};
        while (reader.pos < stop) {
          const t = reader.uint32();
          if (t >>> 3 === 1) {
            const kv = readKeyValue(reader, reader.uint32() + reader.pos, depth + 1);
            map[kv.key] = kv.value;
          } else skip(reader, t);
        }
        value = map;
        break;
      }
      case 7: value = bytesToBase64(reader.bytes()); break;
      default: skip(reader, tag);
    }
  }
  return value;
}

// ---------------------------------------------------------------------------------------------

export function encodeOtlpProto(spans: readonly Span[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const group of groupByResourceAndScope(spans)) {
    w.uint32((1 << 3) | WIRE_LEN).fork(); // ResourceSpans
    w.uint32((1 << 3) | WIRE_LEN).fork(); // Resource
    for (const a of group.resource) writeKeyValue(w, 1, a.key, a.value);
    w.ldelim();
    for (const sg of group.scopes) {
      w.uint32((2 << 3) | WIRE_LEN).fork(); // ScopeSpans
      w.uint32((1 << 3) | WIRE_LEN).fork(); // InstrumentationScope
      if (sg.scope.name) w.uint32((1 << 3) | WIRE_LEN).string(sg.scope.name);
      if (sg.scope.version) w.uint32((2 << 3) | WIRE_LEN).string(sg.scope.version);
      w.ldelim();
      for (const s of sg.spans) writeSpan(w, s);
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

function writeNanos(w: protobuf.Writer, field: number, us: number): void {
  writeNanosString(w, field, microsToNanosString(us));
}

function writeNanosString(w: protobuf.Writer, field: number, ns: string): void {
  w.uint32((field << 3) | WIRE_FIXED64).fixed64(Long.fromString(ns, true));
}

function writeSpan(w: protobuf.Writer, s: Span): void {
  w.uint32((2 << 3) | WIRE_LEN).fork();
  w.uint32((1 << 3) | WIRE_LEN).bytes(hexToBytes(traceIdTo128(s.traceId)));
  w.uint32((2 << 3) | WIRE_LEN).bytes(hexToBytes(s.spanId));
  if (s.traceState) w.uint32((3 << 3) | WIRE_LEN).string(s.traceState);
  if (s.parentId) w.uint32((4 << 3) | WIRE_LEN).bytes(hexToBytes(s.parentId));
  if (s.name) w.uint32((5 << 3) | WIRE_LEN).string(s.name);
  if (s.kind !== 'unspecified') w.uint32((6 << 3) | WIRE_VARINT).int32(KIND_NUMBER[s.kind]);
  const start = Number.isFinite(s.startUs) ? s.startUs : 0;
  writeNanos(w, 7, start);
  writeNanosString(w, 8, endNanosString(start, s.durationUs));
  for (const a of s.attributes) writeKeyValue(w, 9, a.key, a.value);
  for (const e of s.events) {
    w.uint32((11 << 3) | WIRE_LEN).fork();
    writeNanos(w, 1, e.timeUs);
    if (e.name) w.uint32((2 << 3) | WIRE_LEN).string(e.name);
    for (const a of e.attributes) writeKeyValue(w, 3, a.key, a.value);
    w.ldelim();
  }
  for (const l of s.links) {
    w.uint32((13 << 3) | WIRE_LEN).fork();
    w.uint32((1 << 3) | WIRE_LEN).bytes(hexToBytes(traceIdTo128(l.traceId)));
    w.uint32((2 << 3) | WIRE_LEN).bytes(hexToBytes(l.spanId));
    if (l.traceState) w.uint32((3 << 3) | WIRE_LEN).string(l.traceState);
    for (const a of l.attributes) writeKeyValue(w, 4, a.key, a.value);
    w.ldelim();
  }
  if (s.status.code !== 'unset' || s.status.message) {
    w.uint32((15 << 3) | WIRE_LEN).fork();
    if (s.status.message) w.uint32((2 << 3) | WIRE_LEN).string(s.status.message);
    if (s.status.code !== 'unset') w.uint32((3 << 3) | WIRE_VARINT).int32(STATUS_NUMBER[s.status.code]);
    w.ldelim();
  }
  if (s.flags) w.uint32((16 << 3) | WIRE_FIXED32).fixed32(s.flags);
  w.ldelim();
}

function writeKeyValue(w: protobuf.Writer, field: number, key: string, value: AttrValue): void {
  w.uint32((field << 3) | WIRE_LEN).fork();
  w.uint32((1 << 3) | WIRE_LEN).string(key);
  w.uint32((2 << 3) | WIRE_LEN).fork();
  writeAnyValue(w, value);
  w.ldelim();
  w.ldelim();
}

function writeAnyValue(w: protobuf.Writer, v: AttrValue): void {
  if (v === null) return;
  if (typeof v === 'string') w.uint32((1 << 3) | WIRE_LEN).string(v);
  else if (typeof v === 'boolean') w.uint32((2 << 3) | WIRE_VARINT).bool(v);
  else if (typeof v === 'number') {
    if (Number.isInteger(v)) w.uint32((3 << 3) | WIRE_VARINT).int64(Long.fromNumber(v));
    else w.uint32((4 << 3) | WIRE_FIXED64).double(v);
  } else if (Array.isArray(v)) {
    w.uint32((5 << 3) | WIRE_LEN).fork();
    for (const item of v) {
      w.uint32((1 << 3) | WIRE_LEN).fork();
      writeAnyValue(w, item);
      w.ldelim();
    }
    w.ldelim();
  } else {
    const map = v as Record<string, AttrValue>;
    w.uint32((6 << 3) | WIRE_LEN).fork();
    for (const key of Object.keys(map)) writeKeyValue(w, 1, key, map[key]);
    w.ldelim();
  }
}
