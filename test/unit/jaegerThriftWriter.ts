/**
 * Jaeger batches written with Apache Thrift's own Node library (`thrift`: TCompactProtocol and
 * TBinaryProtocol), field by field as Thrift's generated code for jaeger-idl writes them, so the
 * decoder is checked against an encoder nobody here wrote.
 */
import thrift from 'thrift';

// node-int64 comes with thrift; it carries exact 64-bit values from hex.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Int64 = require('node-int64') as new (hex: string) => unknown;
const T = thrift.Thrift.Type;

export type TagValue = { type: 'STRING'; v: string } | { type: 'DOUBLE'; v: number } | { type: 'BOOL'; v: boolean } | { type: 'LONG'; v: string /* 16 hex digits, two's complement */ } | { type: 'BINARY'; v: Uint8Array };
export interface JTag {
  key: string;
  value: TagValue;
}
export interface JRef {
  refType: 0 | 1;
  traceLow: string;
  traceHigh: string;
  spanId: string;
}
export interface JSpan {
  traceLow: string;
  traceHigh: string;
  spanId: string;
  parentSpanId: string;
  operationName: string;
  references?: JRef[];
  flags: number;
  startTime: number;
  duration: number;
  tags?: JTag[];
  logs?: Array<{ timestamp: number; fields: JTag[] }>;
}
export interface JBatch {
  serviceName: string;
  processTags?: JTag[];
  spans: JSpan[];
  seqNo?: number;
}

interface Protocol {
  writeMessageBegin(name: string, type: number, seq: number): void;
  writeMessageEnd(): void;
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
  writeListBegin(type: number, size: number): void;
  writeListEnd(): void;
  writeString(s: string): void;
  writeBinary(b: Buffer): void;
  writeI32(n: number): void;
  writeI64(n: unknown): void;
  writeDouble(n: number): void;
  writeBool(b: boolean): void;
}

const TAG_TYPE = { STRING: 0, DOUBLE: 1, BOOL: 2, LONG: 3, BINARY: 4 } as const;

function field(p: Protocol, type: number, id: number, write: () => void): void {
  p.writeFieldBegin('f', type, id);
  write();
  p.writeFieldEnd();
}

function list<X>(p: Protocol, id: number, items: X[] | undefined, write: (x: X) => void): void {
  if (!items) return;
  field(p, T.LIST, id, () => {
    p.writeListBegin(T.STRUCT, items.length);
    items.forEach(write);
    p.writeListEnd();
  });
}

function writeTag(p: Protocol, t: JTag): void {
  p.writeStructBegin('Tag');
  field(p, T.STRING, 1, () => p.writeString(t.key));
  field(p, T.I32, 2, () => p.writeI32(TAG_TYPE[t.value.type]));
  const v = t.value;
  if (v.type === 'STRING') field(p, T.STRING, 3, () => p.writeString(v.v));
  if (v.type === 'DOUBLE') field(p, T.DOUBLE, 4, () => p.writeDouble(v.v));
  if (v.type === 'BOOL') field(p, T.BOOL, 5, () => p.writeBool(v.v));
  if (v.type === 'LONG') field(p, T.I64, 6, () => p.writeI64(new Int64(v.v)));
  if (v.type === 'BINARY') field(p, T.STRING, 7, () => p.writeBinary(Buffer.from(v.v)));
  p.writeFieldStop();
  p.writeStructEnd();
}

function writeSpan(p: Protocol, s: JSpan): void {
  p.writeStructBegin('Span');
  field(p, T.I64, 1, () => p.writeI64(new Int64(s.traceLow)));
  field(p, T.I64, 2, () => p.writeI64(new Int64(s.traceHigh)));
  field(p, T.I64, 3, () => p.writeI64(new Int64(s.spanId)));
  field(p, T.I64, 4, () => p.writeI64(new Int64(s.parentSpanId)));
  field(p, T.STRING, 5, () => p.writeString(s.operationName));
  list(p, 6, s.references, (r) => {
    p.writeStructBegin('SpanRef');
    field(p, T.I32, 1, () => p.writeI32(r.refType));
    field(p, T.I64, 2, () => p.writeI64(new Int64(r.traceLow)));
    field(p, T.I64, 3, () => p.writeI64(new Int64(r.traceHigh)));
    field(p, T.I64, 4, () => p.writeI64(new Int64(r.spanId)));
    p.writeFieldStop();
    p.writeStructEnd();
  });
  field(p, T.I32, 7, () => p.writeI32(s.flags));
  field(p, T.I64, 8, () => p.writeI64(s.startTime));
  field(p, T.I64, 9, () => p.writeI64(s.duration));
  list(p, 10, s.tags, (t) => writeTag(p, t));
  list(p, 11, s.logs, (l) => {
    p.writeStructBegin('Log');
    field(p, T.I64, 1, () => p.writeI64(l.timestamp));
    list(p, 2, l.fields, (t) => writeTag(p, t));
    p.writeFieldStop();
    p.writeStructEnd();
  });
  p.writeFieldStop();
  p.writeStructEnd();
}

function writeBatch(p: Protocol, b: JBatch): void {
  p.writeStructBegin('Batch');
  field(p, T.STRUCT, 1, () => {
    p.writeStructBegin('Process');
    field(p, T.STRING, 1, () => p.writeString(b.serviceName));
    list(p, 2, b.processTags, (t) => writeTag(p, t));
    p.writeFieldStop();
    p.writeStructEnd();
  });
  list(p, 2, b.spans, (s) => writeSpan(p, s));
  if (b.seqNo !== undefined) field(p, T.I64, 3, () => p.writeI64(b.seqNo!));
  p.writeFieldStop();
  p.writeStructEnd();
}

/** An Agent.emitBatch message (what a Jaeger client puts in one UDP datagram), or a bare Batch (an HTTP body). */
export function writeJaegerThrift(batch: JBatch, protocol: 'compact' | 'binary', message = true): Uint8Array {
  const chunks: Buffer[] = [];
  const Transport = thrift.TBufferedTransport as unknown as new (buf: undefined, onFlush: (b: Buffer) => void) => { flush(): void };
  const transport = new Transport(undefined, (b) => chunks.push(Buffer.from(b)));
  const Proto = (protocol === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol) as unknown as new (t: unknown) => Protocol;
  const p = new Proto(transport);
  if (message) {
    p.writeMessageBegin('emitBatch', thrift.Thrift.MessageType.ONEWAY, 1);
    p.writeStructBegin('Agent_emitBatch_args');
    field(p, T.STRUCT, 1, () => writeBatch(p, batch));
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeMessageEnd();
  } else writeBatch(p, batch);
  transport.flush();
  return new Uint8Array(Buffer.concat(chunks));
}
