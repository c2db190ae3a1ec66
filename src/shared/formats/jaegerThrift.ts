/**
 * Jaeger's Thrift model (jaeger-idl `jaeger.thrift` and `agent.thrift`), as Jaeger clients and
 * OpenTelemetry's Jaeger exporters send it:
 * - UDP 6831: an `Agent.emitBatch` message in the compact protocol (OTel's exporters, most clients);
 * - UDP 6832: the same in the binary protocol (jaeger-client for Node);
 * - HTTP `POST /api/traces` (the collector, 14268): a bare `Batch` struct in the binary protocol.
 *
 * `Batch { 1: Process process, 2: list<Span> spans, 3: i64 seqNo, 4: ClientStats stats }`;
 * `Process { 1: string serviceName, 2: list<Tag> tags }`;
 * `Span { 1: i64 traceIdLow, 2: i64 traceIdHigh, 3: i64 spanId, 4: i64 parentSpanId, 5: string
 * operationName, 6: list<SpanRef> references, 7: i32 flags, 8: i64 startTime (µs), 9: i64 duration (µs),
 * 10: list<Tag> tags, 11: list<Log> logs }`;
 * `Tag { 1: string key, 2: TagType vType (STRING, DOUBLE, BOOL, LONG, BINARY), 3..7: the value }`;
 * `Log { 1: i64 timestamp, 2: list<Tag> fields }`; `SpanRef { 1: refType (CHILD_OF, FOLLOWS_FROM),
 * 2: traceIdLow, 3: traceIdHigh, 4: spanId }`.
 * Unknown fields are skipped (newer IDL versions); the model is built the way the Jaeger JSON decoder
 * builds it (`jaegerSpan`), so a span reads the same whichever way it came.
 */
import { TraceDecodeError } from '../errors';
import { bytesToBase64 } from '../ids';
import type { Attribute, AttrValue, Span } from '../model';
import { jaegerParentAndLinks, jaegerProcess, jaegerSpan, type JaegerLog, type JaegerProcess } from './jaeger';
import { BinaryReader, CompactReader, i64Hex, i64IsZero, i64Value, ThriftError, TType, type I64, type ThriftProtocol, type ThriftReader } from './thrift';

const F = 'jaeger-thrift' as const;

export interface ThriftSniff {
  protocol: ThriftProtocol;
  /** An `Agent` message (what a UDP datagram holds) rather than a bare `Batch` struct (an HTTP body). */
  message: boolean;
}

/**
 * Whether these bytes look like a Jaeger Thrift batch, and in which protocol. None of these openings
 * can begin OTLP protobuf (0x0a) or JSON.
 */
export function sniffJaegerThrift(b: Uint8Array): ThriftSniff | null {
  if (b.length < 3) return null;
  if (b[0] === 0x82 && (b[1] & 0x1f) === 1) return { protocol: 'compact', message: true };
  if (b[0] === 0x80 && b[1] === 0x01 && b[2] === 0x00) return { protocol: 'binary', message: true };
  // old non-strict binary message: the name's 4-byte length, then the name
  if (b.length > 13 && b[0] === 0 && b[1] === 0 && b[2] === 0 && (b[3] === 9 || b[3] === 15) && b[4] === 0x65 /* e */ && b[5] === 0x6d /* m */) return { protocol: 'binary', message: true };
  if (b[0] === TType.STRUCT && b[1] === 0x00 && b[2] === 0x01) return { protocol: 'binary', message: false };
  if (b[0] === 0x1c) return { protocol: 'compact', message: false }; // field 1 (delta 1), compact struct
  return null;
}

/** What one datagram or body held: the spans, and the client's own counters when it sent them. */
export interface JaegerBatch {
  spans: Span[];
  service: string;
}

/**
 * Decode a Jaeger Thrift batch, in the protocol and framing `sniffJaegerThrift` finds (or the caller
 * says). Total: anything malformed is a TraceDecodeError with the byte offset; nothing is half-decoded.
 */
export function decodeJaegerThrift(bytes: Uint8Array, as: ThriftSniff | null = sniffJaegerThrift(bytes)): JaegerBatch {
  if (!as) throw new TraceDecodeError(F, 'not Jaeger Thrift: expected an Agent.emitBatch message (compact or binary) or a binary Batch struct', undefined, { offset: 0 });
  const r: ThriftReader = as.protocol === 'compact' ? new CompactReader(bytes) : new BinaryReader(bytes);
  try {
    let batch: JaegerBatch | undefined;
    if (as.message) {
      const m = r.messageBegin();
      if (m.name === 'emitZipkinBatch') r.fail('Agent.emitZipkinBatch (Zipkin Thrift spans) is not supported; send Zipkin v2 JSON to the Zipkin port instead', 0);
      if (m.name !== 'emitBatch') r.fail(`Agent.${m.name} is not a method this receiver knows; Jaeger clients send emitBatch`, 0);
      if (m.type !== 1 && m.type !== 4) r.fail(`message type ${m.type}: an emitBatch must be a call (1) or oneway (4)`, 0);
      // the arguments struct: 1: Batch batch
      r.structBegin();
      for (let f = r.fieldBegin(); f.type !== TType.STOP; f = r.fieldBegin()) {
        if (f.id === 1 && f.type === TType.STRUCT) batch = readBatch(r);
        else r.skip(f.type);
      }
      r.structEnd();
    } else batch = readBatch(r);
    if (!batch) r.fail('emitBatch without its batch argument (field 1)');
    if (r.remaining > 0) r.fail(`${r.remaining} bytes after the end of the batch`);
    return batch;
  } catch (e) {
    if (e instanceof ThriftError) throw new TraceDecodeError(F, `${as.protocol} Thrift: ${e.reason}`, undefined, { offset: e.offset });
    if (e instanceof TraceDecodeError) throw e;
    throw new TraceDecodeError(F, `could not decode Thrift: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readBatch(r: ThriftReader): JaegerBatch {
  const start = r.pos;
  let process: JaegerProcess | undefined;
  let rawSpans: RawSpan[] | undefined;
  r.structBegin();
  for (let f = r.fieldBegin(); f.type !== TType.STOP; f = r.fieldBegin()) {
    if (f.id === 1 && f.type === TType.STRUCT) process = readProcess(r);
    else if (f.id === 2 && f.type === TType.LIST) rawSpans = readList(r, TType.STRUCT, 'spans', () => readSpan(r));
    else r.skip(f.type); // 3: seqNo, 4: ClientStats, and anything newer
  }
  r.structEnd();
  if (!process) r.fail('a Batch without its process (field 1)', start);
  if (!rawSpans) r.fail('a Batch without its spans (field 2)', start);
  const proc = process;
  return { service: proc.service, spans: rawSpans.map((s) => toSpan(s, proc)) };
}

function readList<T>(r: ThriftReader, want: number, what: string, read: () => T): T[] {
  const at = r.pos;
  const { elemType, size } = r.listBegin();
  if (elemType !== want) r.fail(`${what}: a list of type ${elemType} where type ${want} was expected`, at);
  const out: T[] = new Array(size);
  for (let i = 0; i < size; i++) out[i] = read();
  return out;
}

function readProcess(r: ThriftReader): JaegerProcess {
  let service = '';
  let tags: Attribute[] = [];
  r.structBegin();
  for (let f = r.fieldBegin(); f.type !== TType.STOP; f = r.fieldBegin()) {
    if (f.id === 1 && f.type === TType.STRING) service = r.string();
    else if (f.id === 2 && f.type === TType.LIST) tags = readList(r, TType.STRUCT, 'process tags', () => readTag(r));
    else r.skip(f.type);
  }
  r.structEnd();
  return jaegerProcess(service, tags);
}

const TAG_TYPES = ['STRING', 'DOUBLE', 'BOOL', 'LONG', 'BINARY'] as const;

function readTag(r: ThriftReader): Attribute {
  const start = r.pos;
  let key: string | undefined;
  let vType = -1;
  const v: { str?: string; dbl?: number; bool?: boolean; long?: I64; bin?: Uint8Array } = {};
  r.structBegin();
  for (let f = r.fieldBegin(); f.type !== TType.STOP; f = r.fieldBegin()) {
    if (f.id === 1 && f.type === TType.STRING) key = r.string();
    else if (f.id === 2 && f.type === TType.I32) vType = r.i32();
    else if (f.id === 3 && f.type === TType.STRING) v.str = r.string();
    else if (f.id === 4 && f.type === TType.DOUBLE) v.dbl = r.double();
    else if (f.id === 5 && f.type === TType.BOOL) v.bool = r.bool();
    else if (f.id === 6 && f.type === TType.I64) v.long = r.i64();
    else if (f.id === 7 && f.type === TType.STRING) v.bin = r.binary();
    else r.skip(f.type);
  }
  r.structEnd();
  if (key === undefined) r.fail('a tag without its key (field 1)', start);
  let value: AttrValue;
  switch (TAG_TYPES[vType]) {
    case 'STRING':
      value = v.str ?? '';
      break;
    case 'DOUBLE':
      value = v.dbl ?? 0;
      break;
    case 'BOOL':
      value = v.bool ?? false;
      break;
    case 'LONG':
      value = v.long ? i64Value(v.long) : 0;
      break;
    case 'BINARY':
      value = v.bin ? bytesToBase64(v.bin) : ''; // as OTLP/JSON writes bytes
      break;
    default:
      r.fail(`tag "${key}" has type ${vType}; Jaeger's types are 0 STRING, 1 DOUBLE, 2 BOOL, 3 LONG, 4 BINARY`, start);
  }
  return { key, value };
}

interface RawSpan {
  at: number;
  traceLow?: I64;
  traceHigh?: I64;
  spanId?: I64;
  parentSpanId?: I64;
  operationName: string;
  references: Array<{ refType: number; traceLow: I64; traceHigh: I64; spanId: I64; at: number }>;
  flags: number;
  startTime?: I64;
  duration?: I64;
  tags: Attribute[];
  logs: JaegerLog[];
}

function readSpan(r: ThriftReader): RawSpan {
  const s: RawSpan = { at: r.pos, operationName: '', references: [], flags: 0, tags: [], logs: [] };
  r.structBegin();
  for (let f = r.fieldBegin(); f.type !== TType.STOP; f = r.fieldBegin()) {
    const { id, type } = f;
    if (type === TType.I64 && id === 1) s.traceLow = r.i64();
    else if (type === TType.I64 && id === 2) s.traceHigh = r.i64();
    else if (type === TType.I64 && id === 3) s.spanId = r.i64();
    else if (type === TType.I64 && id === 4) s.parentSpanId = r.i64();
    else if (type === TType.STRING && id === 5) s.operationName = r.string();
    else if (type === TType.LIST && id === 6) s.references = readList(r, TType.STRUCT, 'references', () => readRef(r));
    else if (type === TType.I32 && id === 7) s.flags = r.i32();
    else if (type === TType.I64 && id === 8) s.startTime = r.i64();
    else if (type === TType.I64 && id === 9) s.duration = r.i64();
    else if (type === TType.LIST && id === 10) s.tags = readList(r, TType.STRUCT, 'span tags', () => readTag(r));
    else if (type === TType.LIST && id === 11) s.logs = readList(r, TType.STRUCT, 'logs', () => readLog(r));
    else r.skip(type);
  }
  r.structEnd();
  return s;
}

function readRef(r: ThriftReader): RawSpan['references'][number] {
  const at = r.pos;
  let refType = 0;
  let traceLow: I64 | undefined;
  let traceHigh: I64 = { hi: 0, lo: 0 };
  let spanId: I64 | undefined;
  r.structBegin();
  for (let f = r.fieldBegin(); f.type !== TType.STOP; f = r.fieldBegin()) {
    if (f.id === 1 && f.type === TType.I32) refType = r.i32();
    else if (f.id === 2 && f.type === TType.I64) traceLow = r.i64();
    else if (f.id === 3 && f.type === TType.I64) traceHigh = r.i64();
    else if (f.id === 4 && f.type === TType.I64) spanId = r.i64();
    else r.skip(f.type);
  }
  r.structEnd();
  if (!traceLow || !spanId) r.fail('a span reference without its traceIdLow or spanId', at);
  return { refType, traceLow, traceHigh, spanId, at };
}

function readLog(r: ThriftReader): JaegerLog {
  const at = r.pos;
  let time: I64 | undefined;
  let fields: Attribute[] = [];
  r.structBegin();
  for (let f = r.fieldBegin(); f.type !== TType.STOP; f = r.fieldBegin()) {
    if (f.id === 1 && f.type === TType.I64) time = r.i64();
    else if (f.id === 2 && f.type === TType.LIST) fields = readList(r, TType.STRUCT, 'log fields', () => readTag(r));
    else r.skip(f.type);
  }
  r.structEnd();
  if (!time) throw new ThriftError(at, 'a log without its timestamp (field 1)');
  return { timeUs: micros(time, at, 'log timestamp'), fields };
}

/** A µs time: a non-negative integer below 2^53. */
function micros(v: I64, at: number, what: string): number {
  const n = i64Value(v);
  if (typeof n !== 'number' || n < 0) throw new ThriftError(at, `${what} ${String(n)} is not a time in microseconds`);
  return n;
}

function traceIdOf(low: I64, high: I64 | undefined): string {
  return high && !i64IsZero(high) ? i64Hex(high) + i64Hex(low) : i64Hex(low);
}

function toSpan(s: RawSpan, process: JaegerProcess): Span {
  if (!s.traceLow || (i64IsZero(s.traceLow) && (!s.traceHigh || i64IsZero(s.traceHigh)))) throw new ThriftError(s.at, 'a span without a trace id (traceIdLow and traceIdHigh are missing or zero)');
  if (!s.spanId || i64IsZero(s.spanId)) throw new ThriftError(s.at, 'a span without a span id (spanId is missing or zero)');
  const traceId = traceIdOf(s.traceLow, s.traceHigh);
  const refs = s.references.map((ref) => {
    if (ref.refType !== 0 && ref.refType !== 1) throw new ThriftError(ref.at, `reference type ${ref.refType}; Jaeger's are 0 CHILD_OF and 1 FOLLOWS_FROM`);
    return { refType: ref.refType === 1 ? ('FOLLOWS_FROM' as const) : ('CHILD_OF' as const), traceId: traceIdOf(ref.traceLow, ref.traceHigh), spanId: i64Hex(ref.spanId) };
  });
  const { parentId: fromRefs, links } = jaegerParentAndLinks(traceId, refs);
  // Old clients name the parent only in parentSpanId; newer ones send both (they agree).
  const parentId = fromRefs ?? (s.parentSpanId && !i64IsZero(s.parentSpanId) ? i64Hex(s.parentSpanId) : undefined);
  return jaegerSpan({
    traceId,
    spanId: i64Hex(s.spanId),
    ...(parentId ? { parentId } : {}),
    links,
    operationName: s.operationName,
    process,
    startUs: s.startTime ? micros(s.startTime, s.at, 'startTime') : NaN,
    durationUs: s.duration ? micros(s.duration, s.at, 'duration') : NaN,
    tags: s.tags,
    logs: s.logs,
    flags: s.flags,
  });
}
