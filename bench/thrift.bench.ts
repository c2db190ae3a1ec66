/**
 * Jaeger Thrift: the hand-written reader against Apache Thrift's own Node library, which the project
 * could have used instead. The library reads through code shaped like what its compiler generates for
 * jaeger-idl (struct by struct, field by field) into plain objects, and stops there; ours builds the
 * whole model span. Both read the same batches, written by the library. Also the bundle each adds.
 */
import { build } from 'esbuild';
import thrift from 'thrift';
import { decodeJaegerThrift } from '../src/shared/formats/jaegerThrift';
import { writeJaegerThrift, type JBatch, type JSpan } from '../test/unit/jaegerThriftWriter';

interface Proto {
  readStructBegin(): void;
  readStructEnd(): void;
  readFieldBegin(): { ftype: number; fid: number };
  readFieldEnd(): void;
  readListBegin(): { etype: number; size: number };
  readListEnd(): void;
  readMessageBegin(): { fname: string };
  readMessageEnd(): void;
  readString(): string;
  readBinary(): Buffer;
  readI32(): number;
  readI64(): { toOctetString(): string };
  readDouble(): number;
  readBool(): boolean;
  skip(t: number): void;
}
const T = thrift.Thrift.Type;

/** Generated-code-shaped reading with the library: one function per struct. */
function libReadStruct(p: Proto, fields: Record<number, (p: Proto) => unknown>): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  p.readStructBegin();
  for (;;) {
    const f = p.readFieldBegin();
    if (f.ftype === T.STOP) break;
    const read = fields[f.fid];
    if (read) out[f.fid] = read(p);
    else p.skip(f.ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
  return out;
}
const libList = (read: (p: Proto) => unknown) => (p: Proto): unknown[] => {
  const { size } = p.readListBegin();
  const out = new Array(size);
  for (let i = 0; i < size; i++) out[i] = read(p);
  p.readListEnd();
  return out;
};
const i64 = (p: Proto): string => p.readI64().toOctetString();
const tag = (p: Proto): unknown => libReadStruct(p, { 1: (q) => q.readString(), 2: (q) => q.readI32(), 3: (q) => q.readString(), 4: (q) => q.readDouble(), 5: (q) => q.readBool(), 6: i64, 7: (q) => q.readBinary() });
const span = (p: Proto): unknown =>
  libReadStruct(p, {
    1: i64, 2: i64, 3: i64, 4: i64, 5: (q) => q.readString(),
    6: libList((q) => libReadStruct(q, { 1: (r) => r.readI32(), 2: i64, 3: i64, 4: i64 })),
    7: (q) => q.readI32(), 8: i64, 9: i64, 10: libList(tag),
    11: libList((q) => libReadStruct(q, { 1: i64, 2: libList(tag) })),
  });
const batch = (p: Proto): unknown => libReadStruct(p, { 1: (q) => libReadStruct(q, { 1: (r) => r.readString(), 2: libList(tag) }), 2: libList(span) });

function libDecode(bytes: Uint8Array, compact: boolean): unknown {
  const Transport = thrift.TFramedTransport as unknown as new (buf: Buffer) => unknown;
  const Protocol = (compact ? thrift.TCompactProtocol : thrift.TBinaryProtocol) as unknown as new (t: unknown) => Proto;
  const p = new Protocol(new Transport(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  p.readMessageBegin();
  const args = libReadStruct(p, { 1: batch });
  p.readMessageEnd();
  return args;
}

function sampleBatch(spans: number): JBatch {
  const hex = (n: number): string => n.toString(16).padStart(16, '0');
  const list: JSpan[] = [];
  for (let i = 0; i < spans; i++) {
    list.push({
      traceLow: hex(0xabcdef), traceHigh: hex(0x1234), spanId: hex(i + 1), parentSpanId: hex(i === 0 ? 0 : Math.ceil(i / 4)), operationName: `op ${i % 20}`, flags: 1,
      startTime: 1_700_000_000_000_000 + i * 10, duration: 1000 + i,
      tags: [
        { key: 'span.kind', value: { type: 'STRING', v: 'server' } },
        { key: 'http.status_code', value: { type: 'LONG', v: hex(200) } },
        { key: 'http.url', value: { type: 'STRING', v: `https://shop.example/api/items/${i}` } },
        { key: 'cache.hit', value: { type: 'BOOL', v: i % 2 === 0 } },
      ],
      logs: i % 10 === 0 ? [{ timestamp: 1_700_000_000_000_500, fields: [{ key: 'event', value: { type: 'STRING', v: 'retry' } }] }] : [],
    });
  }
  return { serviceName: 'checkout', processTags: [{ key: 'hostname', value: { type: 'STRING', v: 'web-1' } }], spans: list };
}

function time(fn: () => void, minMs = 400): number {
  for (let i = 0; i < 20; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

export interface ThriftBenchResult {
  name: string;
  ours: number;
  library: number;
  unit: string;
}

export async function runThriftBench(): Promise<ThriftBenchResult[]> {
  const out: ThriftBenchResult[] = [];
  // 60 spans ≈ one UDP datagram (the exporters cap a datagram at 65,000 bytes); 2,000 an HTTP batch.
  for (const [label, n] of [['datagram of 60 spans', 60], ['HTTP batch of 2,000 spans', 2000]] as const) {
    for (const protocol of ['compact', 'binary'] as const) {
      const bytes = writeJaegerThrift(sampleBatch(n), protocol);
      const ours = time(() => decodeJaegerThrift(bytes));
      const library = time(() => libDecode(bytes, protocol === 'compact'));
      out.push({ name: `${label}, ${protocol} (${bytes.length} bytes): µs per batch`, ours: ours * 1000, library: library * 1000, unit: 'µs' });
    }
  }
  const size = async (contents: string): Promise<number> => {
    const r = await build({ stdin: { contents, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, minify: true, write: false, platform: 'node', logLevel: 'silent' });
    return r.outputFiles[0].contents.length;
  };
  const oursSize = await size(`export { decodeJaegerThrift } from './src/shared/formats/jaegerThrift';`);
  const libSize = await size(`import thrift from 'thrift'; export const p = [thrift.TCompactProtocol, thrift.TBinaryProtocol, thrift.TFramedTransport];`);
  out.push({ name: 'bundle added, minified (ours: reader + Jaeger model; library: its protocols and transport only)', ours: oursSize / 1024, library: libSize / 1024, unit: 'KiB' });
  return out;
}
