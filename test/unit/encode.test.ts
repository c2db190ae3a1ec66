import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { encodeSpans } from '../../src/shared/formats/encode';
import { encodeZipkin } from '../../src/shared/formats/zipkin';
import { encodeOtlpJson } from '../../src/shared/formats/otlpJson';
import { decodeOtlpProto } from '../../src/shared/formats/otlpProto';
import { newSpan } from '../../src/shared/model';
import { expectDecodeError, fixture } from './helpers';

describe('encoders', () => {
  describe('Zipkin v2 (what POST /api/v2/spans accepts)', () => {
    it('writes no INTERNAL kind: an internal span has no kind and the tag span.kind=internal', () => {
      const s = Object.assign(newSpan('ab'.repeat(8), 'cd'.repeat(8)), { kind: 'internal' as const, startUs: 10, durationUs: 5 });
      const [z] = encodeZipkin([s]);
      assert.equal(z.kind, undefined);
      assert.equal(z.tags?.['span.kind'], 'internal');
    });

    it('writes every tag value as a string and the error status as the error tag', () => {
      const s = Object.assign(newSpan('ab'.repeat(8), 'cd'.repeat(8)), {
        attributes: [{ key: 'n', value: 42 }, { key: 'b', value: true }, { key: 'arr', value: ['x', 1] }],
        status: { code: 'error' as const, message: 'boom' },
      });
      const [z] = encodeZipkin([s]);
      assert.deepEqual(z.tags, { n: '42', b: 'true', arr: '["x",1]', error: 'boom' });
    });

    it('writes integer microseconds and a duration of at least 1 µs', () => {
      const s = Object.assign(newSpan('ab'.repeat(8), 'cd'.repeat(8)), { startUs: 1000.7, durationUs: 0.2 });
      const [z] = encodeZipkin([s]);
      assert.equal(z.timestamp, 1000);
      assert.equal(z.duration, 1);
    });

    it('round-trips the curl payload keeping the padded ids and the shell script service', () => {
      const { spans } = decodeTrace(fixture('examples/zipkin-curl-span-1.json'));
      const [z] = encodeZipkin(spans);
      assert.deepEqual(z, {
        traceId: '0123456789abcde0',
        id: '0000000000001234',
        name: 'span from bash!',
        timestamp: 1625115600000000,
        duration: 200000,
        localEndpoint: { serviceName: 'shell script' },
        tags: { 'http.method': 'GET', 'http.path': '/api' },
      });
    });

    it('moves peer.service to the remote endpoint as the collector does', () => {
      const s = Object.assign(newSpan('ab'.repeat(8), 'cd'.repeat(8)), { attributes: [{ key: 'peer.service', value: 'db' }] });
      assert.deepEqual(encodeZipkin([s])[0].remoteEndpoint, { serviceName: 'db' });
    });
  });

  describe('OTLP/JSON', () => {
    it('writes hex ids (64-bit trace ids widened to 128), integer enums and nanosecond strings', () => {
      const { spans } = decodeTrace(fixture('examples/zipkin-curl-span-2.json'));
      const doc = encodeOtlpJson(spans);
      const s = doc.resourceSpans[0].scopeSpans[0].spans[0];
      assert.equal(s.traceId, '00000000000000000123456789abcde0');
      assert.equal(s.parentSpanId, '0000000000001234');
      assert.equal(s.kind, 0);
      assert.equal(s.startTimeUnixNano, '1625115610000000000');
      assert.equal(s.endTimeUnixNano, '1625115610150000000');
      assert.deepEqual(doc.resourceSpans[0].resource.attributes, [{ key: 'service.name', value: { stringValue: 'shell script' } }]);
    });

    it('round-trips Tempo\u2019s v1 trace through OTLP/JSON to the same spans', () => {
      const { spans } = decodeTrace(fixture('tempo-v1-trace.json'));
      const again = decodeTrace(encodeSpans(spans, 'otlp-json').body as string).spans;
      assert.deepEqual(again, spans);
    });

    it('groups spans of one resource into one ResourceSpans', () => {
      const { spans } = decodeTrace(fixture('examples/zipkin-data-model-trace.json'));
      assert.equal(encodeOtlpJson(spans).resourceSpans.length, 1);
    });
  });

  describe('OTLP protobuf', () => {
    it('round-trips the Tempo trace, including a sub-µs duration and an int64 beyond 2^53', () => {
      const { spans } = decodeTrace(fixture('tempo-v1-trace.json'));
      const bytes = encodeSpans(spans, 'otlp-proto').body as Uint8Array;
      const again = decodeOtlpProto(bytes);
      assert.equal(again[1].durationUs, 20001.2);
      assert.deepEqual(again, spans.map((s) => ({ ...s, attributes: s.attributes.map((a) => a.key === 'big' ? { key: 'big', value: '9223372036854775222' } : a) })));
    });

    it('fails on truncated bytes with a typed error and an offset', () => {
      const { spans } = decodeTrace(fixture('otlp-test-span.json'));
      const bytes = encodeSpans(spans, 'otlp-proto').body as Uint8Array;
      const e = expectDecodeError(() => decodeOtlpProto(bytes.subarray(0, bytes.length - 7)));
      assert.match(e.reason, /not a valid OTLP protobuf/);
      assert.equal(typeof e.position?.offset, 'number');
    });

    it('rejects a trace id of the wrong length', () => {
      // ResourceSpans{ScopeSpans{Span{trace_id: 3 bytes}}}
      const bytes = new Uint8Array([0x0a, 0x09, 0x12, 0x07, 0x12, 0x05, 0x0a, 0x03, 1, 2, 3]);
      assert.match(expectDecodeError(() => decodeOtlpProto(bytes)).reason, /trace_id must be 16 bytes, got 3/);
    });
  });

  describe('Jaeger JSON', () => {
    it('round-trips the Jaeger fixture: parents, kinds, status, typed tags, logs', () => {
      const { spans } = decodeTrace(fixture('jaeger-trace.json'));
      const again = decodeTrace(encodeSpans(spans, 'jaeger').body as string).spans;
      assert.deepEqual(again.map((s) => [s.spanId, s.parentId, s.kind, s.status.code, s.service]), spans.map((s) => [s.spanId, s.parentId, s.kind, s.status.code, s.service]));
      assert.deepEqual(again[1].events, spans[1].events);
    });
  });
});
