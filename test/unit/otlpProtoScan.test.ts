import * as assert from 'node:assert/strict';
import * as protobuf from 'protobufjs/minimal';
import { encodeSpans } from '../../src/shared/formats/encode';
import { decodeOtlpProto } from '../../src/shared/formats/otlpProto';
import { splitOtlpProtoByTrace } from '../../src/shared/formats/otlpProtoScan';
import { newSpan, type Attribute, type Span } from '../../src/shared/model';
import { expectDecodeError } from './helpers';

const web: Attribute[] = [{ key: 'service.name', value: 'web' }];
const db: Attribute[] = [{ key: 'service.name', value: 'db' }, { key: 'host.name', value: 'db-1' }];

function span(trace: string, id: number, resource: Attribute[], scope = 'http'): Span {
  const s = newSpan(trace.repeat(32 / trace.length), id.toString(16).padStart(16, '0'));
  return Object.assign(s, {
    name: `op-${id}`,
    service: resource[0].value as string,
    startUs: 1_700_000_000_000_000 + id,
    durationUs: 10 + id,
    resource,
    scope: { name: scope, version: '1.0' },
    attributes: [{ key: 'n', value: id }, { key: 'tags', value: ['a', 'b'] }, { key: 'nested', value: { k: [1, { deep: true }] } }],
    events: [{ timeUs: 1_700_000_000_000_001, name: 'e', attributes: [{ key: 'x', value: 1.5 }] }],
    links: [{ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), attributes: [] }],
    status: { code: 'error', message: 'boom' },
  } satisfies Partial<Span>);
}

function proto(spans: Span[]): Uint8Array {
  // A Uint8Array that owns its buffer, as the receiver's request bodies do.
  return new Uint8Array(encodeSpans(spans, 'otlp-proto').body as Uint8Array);
}

/** A request with one span whose fields are written by hand, to say exactly what is wrong. */
function rawSpan(write: (w: protobuf.Writer) => void): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).fork(); // resource_spans
  w.uint32(0x12).fork(); // scope_spans
  w.uint32(0x12).fork(); // span
  write(w);
  w.ldelim().ldelim().ldelim();
  return w.finish();
}
const ids = (w: protobuf.Writer): protobuf.Writer => w.uint32(0x0a).bytes(new Uint8Array(16).fill(1)).uint32(0x12).bytes(new Uint8Array(8).fill(2));

describe('OTLP protobuf ingest check and split', () => {
  it('keeps a request that holds one trace as it is, without copying it', () => {
    const bytes = proto([span('a', 1, web), span('a', 2, db), span('a', 3, web, 'grpc')]);
    const [part, ...rest] = splitOtlpProtoByTrace(bytes);
    assert.equal(rest.length, 0);
    assert.equal(part.traceId, 'a'.repeat(32));
    assert.equal(part.spanCount, 3);
    assert.equal(part.bytes, bytes);
    assert.deepEqual(decodeOtlpProto(part.bytes), decodeOtlpProto(bytes));
  });

  it('copies a request that is a view into a larger buffer, so keeping it does not pin the rest', () => {
    const bytes = proto([span('a', 1, web)]);
    const pool = new Uint8Array(bytes.length + 100);
    pool.set(bytes, 50);
    const view = pool.subarray(50, 50 + bytes.length);
    const [part] = splitOtlpProtoByTrace(view);
    assert.notEqual(part.bytes.buffer, pool.buffer);
    assert.equal(part.bytes.buffer.byteLength, bytes.length);
    assert.deepEqual(decodeOtlpProto(part.bytes), decodeOtlpProto(bytes));
  });

  it('splits interleaved traces into one request each, with their own resource and scope, in arrival order', () => {
    const spans = [span('a', 1, web), span('b', 2, web), span('a', 3, web), span('c', 4, db), span('b', 5, db, 'grpc'), span('a', 6, db, 'grpc')];
    const bytes = proto(spans);
    const all = decodeOtlpProto(bytes);
    const parts = splitOtlpProtoByTrace(bytes);
    assert.deepEqual(parts.map((p) => [p.traceId[0], p.spanCount]), [['a', 3], ['b', 2], ['c', 1]]);
    for (const part of parts) {
      assert.deepEqual(decodeOtlpProto(part.bytes), all.filter((s) => s.traceId === part.traceId), `trace ${part.traceId}`);
      assert.notEqual(part.bytes.buffer, bytes.buffer);
    }
    // Each part holds its own spans and their context only, not the whole request.
    assert.ok(parts[2].bytes.length < bytes.length / 3, `${parts[2].bytes.length} of ${bytes.length} bytes`);
  });

  it('tells apart trace ids that share their last bytes (the split buckets by them)', () => {
    const a = span('a', 1, web);
    const b = { ...span('a', 2, web), traceId: 'b'.repeat(16) + 'a'.repeat(16) };
    const parts = splitOtlpProtoByTrace(proto([a, b, a, b]));
    assert.deepEqual(parts.map((p) => [p.traceId, p.spanCount]), [[a.traceId, 2], [b.traceId, 2]]);
  });

  it('a request with no spans holds nothing to keep', () => {
    assert.deepEqual(splitOtlpProtoByTrace(new Uint8Array(0)), []);
    assert.deepEqual(splitOtlpProtoByTrace(new Uint8Array([0x0a, 0x00])), []); // one empty resource_spans
  });

  describe('refuses, with the reason and the byte offset, what the decoder would refuse or misread', () => {
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['a body cut short', proto([span('a', 1, web)]).subarray(0, 60), /runs past the end|truncated/],
      ['a trace id of 3 bytes', rawSpan((w) => w.uint32(0x0a).bytes(new Uint8Array(3)).uint32(0x12).bytes(new Uint8Array(8))), /trace_id must be 16 bytes, got 3/],
      ['a span without a span id', rawSpan((w) => w.uint32(0x0a).bytes(new Uint8Array(16).fill(1))), /no span_id/],
      ['a span whose only trace id is empty', rawSpan((w) => w.uint32(0x12).bytes(new Uint8Array(8).fill(1)).uint32(0x0a).bytes(new Uint8Array(0))), /no trace_id/],
      ['a start time that is not fixed64', rawSpan((w) => ids(w).uint32((7 << 3) | 0).uint64(5)), /start_time_unix_nano has wire type 0, expected 1/],
      ['a group (wire type 3), which protobufjs would skip differently', rawSpan((w) => ids(w).uint32((20 << 3) | 3)), /invalid wire type 3/],
      ['field number 0', rawSpan((w) => ids(w).uint32(0x02).uint32(0)), /invalid field tag/],
      ['an attribute value nested 70 deep', rawSpan((w) => {
        ids(w).uint32(0x4a).fork().uint32(0x0a).string('k').uint32(0x12).fork();
        for (let i = 0; i < 70; i++) w.uint32(0x2a).fork().uint32(0x0a).fork();
        for (let i = 0; i < 70; i++) w.ldelim().ldelim();
        w.ldelim().ldelim();
      }), /nested deeper than 64/],
      ['a status code sent as a string', rawSpan((w) => ids(w).uint32(0x7a).fork().uint32(0x1a).string('ERROR').ldelim()), /status code has wire type 2, expected 0/],
    ];
    for (const [name, bytes, reason] of cases) {
      it(name, () => {
        const e = expectDecodeError(() => splitOtlpProtoByTrace(bytes));
        assert.match(e.reason, reason);
        assert.equal(typeof e.position?.offset, 'number');
        assert.ok(e.position!.offset >= 0 && e.position!.offset <= bytes.length);
      });
    }

    it('a tag written as a 7-byte varint, which protobufjs would read as 10', () => {
      const good = rawSpan((w) => ids(w).uint32(0x30).uint32(2)); // kind = server
      assert.equal(splitOtlpProtoByTrace(good)[0].spanCount, 1);
      // The same request with the kind's tag padded to 7 bytes: a valid varint, but not one uint32() reads.
      const at = good.lastIndexOf(0x30);
      const padded = new Uint8Array([...good.subarray(0, at), 0xb0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, ...good.subarray(at + 1)]);
      padded[1] += 6; // the three enclosing lengths grow by 6 (all one-byte here)
      padded[3] += 6;
      padded[5] += 6;
      assert.match(expectDecodeError(() => splitOtlpProtoByTrace(padded)).reason, /longer than 32 bits/);
    });
  });
});
