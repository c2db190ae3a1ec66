/**
 * Jaeger Thrift (compact and binary) into the model: the reference script's real datagram, batches
 * written by Apache Thrift's own library compared with the Jaeger JSON decoder's reading of the same
 * batch, and hostile bytes that must give a typed error and nothing else.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { TraceDecodeError } from '../../src/shared/errors';
import { decodeTrace } from '../../src/shared/formats/detect';
import { decodeJaeger } from '../../src/shared/formats/jaeger';
import { decodeJaegerThrift, sniffJaegerThrift } from '../../src/shared/formats/jaegerThrift';
import { bytesToBase64 } from '../../src/shared/ids';
import { linkTrace } from '../../src/shared/trace/link';
import { expectDecodeError, fixtureBytes } from './helpers';
import { writeJaegerThrift, type JBatch, type JTag } from './jaegerThriftWriter';

describe('Jaeger Thrift', () => {
  it('reads the datagram the reference script otel-python-jaeger.py sends: foo → bar → baz of my-helloworld-service', () => {
    // Captured from the script, unchanged, with opentelemetry-exporter-jaeger-thrift 1.21.0 (UDP 6831).
    const bytes = fixtureBytes('jaeger-thrift-compact-hello.bin');
    assert.deepEqual(sniffJaegerThrift(bytes), { protocol: 'compact', message: true });
    const r = decodeTrace(bytes);
    assert.equal(r.format, 'jaeger-thrift');
    const t = linkTrace(r.spans);
    assert.deepEqual(t.spans.map((s) => `${'  '.repeat(t.depth[t.spans.indexOf(s)])}${s.name}`), ['foo', '  bar', '    baz']);
    assert.ok(t.spans.every((s) => s.service === 'my-helloworld-service' && s.kind === 'internal' && s.scope?.name === '__main__'));
    assert.equal(t.traceId.length, 32, '128-bit trace id from traceIdHigh and traceIdLow');
    assert.ok(t.spans[0].startUs > 1.7e15 && t.spans[0].durationUs > 0);
  });

  it('reads each value type of a tag, logs as events, references as parent and links, and the process as resource', () => {
    const batch: JBatch = {
      serviceName: 'checkout',
      processTags: [{ key: 'hostname', value: { type: 'STRING', v: 'web-1' } }],
      spans: [
        {
          traceLow: '00000000000000aa', traceHigh: '0000000000000001', spanId: '00000000000000b2', parentSpanId: '0000000000000000', operationName: 'charge', flags: 1, startTime: 1_700_000_000_000_000, duration: 1500,
          references: [
            { refType: 0, traceLow: '00000000000000aa', traceHigh: '0000000000000001', spanId: '00000000000000b1' },
            { refType: 1, traceLow: '00000000000000cc', traceHigh: '0000000000000000', spanId: '00000000000000c1' },
          ],
          tags: [
            { key: 'span.kind', value: { type: 'STRING', v: 'client' } },
            { key: 'error', value: { type: 'BOOL', v: true } },
            { key: 'retry.ratio', value: { type: 'DOUBLE', v: 0.25 } },
            { key: 'big', value: { type: 'LONG', v: '7fffffffffffffff' } },
            { key: 'small', value: { type: 'LONG', v: 'fffffffffffffffe' } },
            { key: 'blob', value: { type: 'BINARY', v: new Uint8Array([1, 2, 255]) } },
          ],
          logs: [{ timestamp: 1_700_000_000_000_500, fields: [{ key: 'event', value: { type: 'STRING', v: 'retry' } }, { key: 'attempt', value: { type: 'LONG', v: '0000000000000002' } }] }],
        },
      ],
    };
    for (const protocol of ['compact', 'binary'] as const) {
      const [s] = decodeTrace(writeJaegerThrift(batch, protocol)).spans;
      assert.equal(s.traceId, '000000000000000100000000000000aa');
      assert.equal(s.parentId, '00000000000000b1');
      assert.deepEqual(s.links.map((l) => [l.traceId, l.spanId, l.attributes[0].value]), [['00000000000000cc', '00000000000000c1', 'follows_from']]);
      assert.equal(s.kind, 'client');
      assert.equal(s.status.code, 'error');
      assert.equal(s.flags, 1);
      assert.deepEqual(s.attributes, [
        { key: 'retry.ratio', value: 0.25 },
        { key: 'big', value: '9223372036854775807' },
        { key: 'small', value: -2 },
        { key: 'blob', value: bytesToBase64(new Uint8Array([1, 2, 255])) },
      ]);
      assert.deepEqual(s.resource, [{ key: 'service.name', value: 'checkout' }, { key: 'hostname', value: 'web-1' }]);
      assert.deepEqual(s.events, [{ timeUs: 1_700_000_000_000_500, name: 'retry', attributes: [{ key: 'attempt', value: 2 }] }]);
    }
  });

  it('refuses Zipkin Thrift (emitZipkinBatch), a list longer than the bytes left, and bytes after the batch, each with its offset', () => {
    const zipkin = writeJaegerThrift({ serviceName: 's', spans: [] }, 'compact');
    const renamed = new Uint8Array([0x82, 0x81, 0x01, 15, ...new TextEncoder().encode('emitZipkinBatch'), ...zipkin.subarray(4 + 9)]);
    assert.match(expectDecodeError(() => decodeTrace(renamed)).message, /emitZipkinBatch \(Zipkin Thrift spans\) is not supported/);
    // a compact list header claiming 0x7fffffff structs
    const huge = new Uint8Array([0x82, 0x81, 0x01, 9, ...new TextEncoder().encode('emitBatch'), 0x1c, 0x1c, 0x18, 1, 0x73, 0x00, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07]);
    const e = expectDecodeError(() => decodeTrace(huge));
    assert.match(e.message, /offset 20: compact Thrift: a list of 2147483647 elements cannot fit in the 0 bytes left/);
    const extra = new Uint8Array([...writeJaegerThrift({ serviceName: 's', spans: [] }, 'binary', false), 0, 0]);
    assert.match(expectDecodeError(() => decodeTrace(extra)).message, /2 bytes after the end of the batch/);
  });

  it('refuses structs nested deeper than 64 instead of overflowing the stack', () => {
    // args { 1: Batch { 9: struct { 1: struct { … } } } }: unknown fields are skipped, recursively.
    const head = [0x82, 0x81, 0x01, 9, ...new TextEncoder().encode('emitBatch'), 0x1c];
    const nested = [0x9c, ...Array.from({ length: 200 }, () => 0x1c)];
    assert.match(expectDecodeError(() => decodeTrace(new Uint8Array([...head, ...nested]))).message, /nested deeper than 64/);
  });
});

// --- the same batch through Thrift and through Jaeger JSON ------------------------------------------

const hex16 = fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }).map((n) => n.toString(16).padStart(16, '0'));
const zeroOr = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof(fc.constant('0000000000000000'), arb);
const tagArb: fc.Arbitrary<JTag> = fc.record({
  key: fc.string({ minLength: 1, maxLength: 12 }),
  value: fc.oneof(
    fc.record({ type: fc.constant('STRING' as const), v: fc.string({ maxLength: 20 }) }),
    // -0 leaves out: Apache Thrift's compact writer writes it as 0
    fc.record({ type: fc.constant('DOUBLE' as const), v: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)) }),
    fc.record({ type: fc.constant('BOOL' as const), v: fc.boolean() }),
    fc.record({ type: fc.constant('LONG' as const), v: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => n.toString(16).padStart(16, '0')) }),
    fc.record({ type: fc.constant('BINARY' as const), v: fc.uint8Array({ maxLength: 10 }) }),
  ),
});
const timeArb = fc.integer({ min: 0, max: 2 ** 52 });
const batchArb: fc.Arbitrary<JBatch> = fc.record({
  serviceName: fc.string({ maxLength: 15 }),
  processTags: fc.array(tagArb, { maxLength: 3 }),
  spans: fc.array(
    fc.record({
      traceLow: hex16,
      traceHigh: zeroOr(hex16),
      spanId: hex16,
      parentSpanId: zeroOr(hex16),
      operationName: fc.string({ maxLength: 15 }),
      references: fc.array(fc.record({ refType: fc.constantFrom(0 as const, 1 as const), traceLow: hex16, traceHigh: zeroOr(hex16), spanId: hex16 }), { maxLength: 3 }),
      flags: fc.integer({ min: 0, max: 3 }),
      startTime: timeArb,
      duration: fc.integer({ min: 0, max: 1e9 }),
      tags: fc.array(tagArb, { maxLength: 4 }),
      logs: fc.array(fc.record({ timestamp: timeArb, fields: fc.array(tagArb, { maxLength: 3 }) }), { maxLength: 2 }),
    }),
    { maxLength: 5 },
  ),
  seqNo: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
});

/** The batch as Jaeger's query API would print it, for the JSON decoder (tested against the real Jaeger). */
function asJaegerJson(b: JBatch): unknown {
  const traceId = (low: string, high: string): string => (/^0+$/.test(high) ? low : high + low);
  const tag = (t: JTag): unknown => {
    const v = t.value;
    if (v.type === 'STRING') return { key: t.key, type: 'string', value: v.v };
    if (v.type === 'DOUBLE') return { key: t.key, type: 'float64', value: v.v };
    if (v.type === 'BOOL') return { key: t.key, type: 'bool', value: v.v };
    if (v.type === 'BINARY') return { key: t.key, type: 'binary', value: bytesToBase64(v.v) };
    const n = BigInt.asIntN(64, BigInt(`0x${v.v}`));
    return { key: t.key, type: 'int64', value: Number.isSafeInteger(Number(n)) ? Number(n) : n.toString() };
  };
  return {
    data: [
      {
        traceID: 'ignored',
        processes: { p1: { serviceName: b.serviceName, tags: (b.processTags ?? []).map(tag) } },
        spans: b.spans.map((s) => ({
          traceID: traceId(s.traceLow, s.traceHigh),
          spanID: s.spanId,
          ...(/^0+$/.test(s.parentSpanId) ? {} : { parentSpanID: s.parentSpanId }),
          operationName: s.operationName,
          references: (s.references ?? []).map((r) => ({ refType: r.refType ? 'FOLLOWS_FROM' : 'CHILD_OF', traceID: traceId(r.traceLow, r.traceHigh), spanID: r.spanId })),
          flags: s.flags,
          startTime: s.startTime,
          duration: s.duration,
          tags: (s.tags ?? []).map(tag),
          logs: (s.logs ?? []).map((l) => ({ timestamp: l.timestamp, fields: l.fields.map(tag) })),
          processID: 'p1',
        })),
      },
    ],
  };
}

describe('Jaeger Thrift (property-based)', () => {
  it('a batch written by Apache Thrift (compact or binary, message or bare) reads as the same spans as its Jaeger JSON', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom('compact' as const, 'binary' as const), fc.boolean(), (batch, protocol, message) => {
        const bytes = writeJaegerThrift(batch, protocol, message);
        const viaThrift = decodeJaegerThrift(bytes).spans;
        const viaJson = decodeJaeger(asJaegerJson(batch));
        assert.deepEqual(viaThrift, viaJson);
      }),
      { numRuns: 400 },
    );
  });

  it('truncated, corrupted and random datagrams give spans or a TraceDecodeError, nothing else', () => {
    const check = (bytes: Uint8Array): void => {
      try {
        decodeJaegerThrift(bytes);
      } catch (e) {
        if (!(e instanceof TraceDecodeError)) throw new Error(`threw ${String(e)} for ${Buffer.from(bytes.subarray(0, 40)).toString('hex')}`);
      }
    };
    fc.assert(
      fc.property(batchArb, fc.constantFrom('compact' as const, 'binary' as const), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (batch, protocol, cut, flips) => {
        const bytes = writeJaegerThrift(batch, protocol);
        check(bytes.subarray(0, cut % (bytes.length + 1)));
        const bad = bytes.slice();
        for (const [at, v] of flips) bad[at % bad.length] = v;
        check(bad);
      }),
      { numRuns: 600 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
      check(new Uint8Array([0x82, 0x81, ...tail]));
      check(new Uint8Array([0x80, 0x01, 0x00, 0x04, ...tail]));
      check(new Uint8Array([0x0c, 0x00, 0x01, ...tail]));
    }), { numRuns: 600 });
  });
});
