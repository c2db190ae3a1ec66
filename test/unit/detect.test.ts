import * as assert from 'node:assert/strict';
import { decodeJsonValue, decodeTrace, detectJsonFormat } from '../../src/shared/formats/detect';
import { encodeSpans } from '../../src/shared/formats/encode';
import { expectDecodeError, fixture } from './helpers';

describe('format detection', () => {
  const cases: Array<[string, string]> = [
    ['examples/zipkin-curl-span-1.json', 'zipkin-v2'],
    ['examples/zipkin-data-model-trace.json', 'zipkin-v2'],
    ['examples/otel-python-console-exporter.txt', 'otel-python-console'],
    ['otlp-test-span.json', 'otlp-json'],
    ['tempo-v1-trace.json', 'tempo-v1'],
    ['tempo-v2-trace.json', 'tempo-v2'],
    ['jaeger-trace.json', 'jaeger-json'],
    ['jaeger-v3-trace.json', 'jaeger-v3'],
  ];
  for (const [file, format] of cases) {
    it(`names ${file} as ${format}`, () => assert.equal(decodeTrace(fixture(file)).format, format));
  }

  it('detects OTLP protobuf bytes', () => {
    const spans = decodeTrace(fixture('otlp-test-span.json')).spans;
    const body = encodeSpans(spans, 'otlp-proto').body as Uint8Array;
    assert.equal(decodeTrace(body).format, 'otlp-proto');
  });

  it('reads protobuf whose first length byte is "{" (0x0a 0x7b looks like a newline and a brace)', () => {
    // Found by the round-trip property: a ResourceSpans of exactly 123 bytes.
    const base = decodeTrace(fixture('otlp-test-span.json')).spans[0];
    for (let n = 0; n < 200; n++) {
      const body = encodeSpans([{ ...base, name: 'x'.repeat(n), attributes: [], events: [] }], 'otlp-proto').body as Uint8Array;
      if (body[1] === 0x7b || body[1] === 0x5b) {
        const r = decodeTrace(body);
        assert.equal(r.format, 'otlp-proto');
        assert.equal(r.spans[0].name, 'x'.repeat(n));
        return;
      }
    }
    assert.fail('no span size produced a length byte of 0x7b or 0x5b');
  });

  it('says which keys it found and which it expected for an unknown object', () => {
    const d = detectJsonFormat({ hello: 1, world: 2 });
    assert.equal(d.format, null);
    assert.match((d as { reason: string }).reason, /keys "hello", "world"; expected "resourceSpans" \(OTLP\/JSON\)/);
  });

  it('explains an array of things that are not spans', () => {
    const e = expectDecodeError(() => decodeTrace('[{"name": "x"}]'));
    assert.match(e.reason, /first item is an object with keys "name"; a Zipkin span needs "traceId" and "id"/);
  });

  it('reports invalid JSON with the line and column of the problem', () => {
    const e = expectDecodeError(() => decodeTrace('[\n  {"traceId": "a", "id": "b"}\n  oops\n]'));
    assert.deepEqual([e.position?.line, e.position?.column], [3, 3]);
    assert.match(e.reason, /not valid JSON: expected ',' or ']' but found 'o'/);
  });

  it('says an empty input is empty, and a shell script is text that is not JSON', () => {
    assert.match(expectDecodeError(() => decodeTrace('  \n')).reason, /empty/);
    assert.match(expectDecodeError(() => decodeTrace(new TextEncoder().encode(fixture('examples/send-spans.sh')))).reason, /text that does not start with/);
  });

  it('refuses input over the size cap with a clear message instead of parsing it', () => {
    assert.match(expectDecodeError(() => decodeTrace('[' + ' '.repeat(100) + ']', { maxBytes: 50 })).reason, /more than the 50-byte limit/);
  });

  it('reads NDJSON (one OTLP document per line, as the collector file exporter writes)', () => {
    const line = JSON.stringify(JSON.parse(fixture('otlp-test-span.json')));
    const other = line.replace('eee19b7ec3c1b100', 'eee19b7ec3c1b101');
    const r = decodeTrace(`${line}\n${other}\n`);
    assert.equal(r.format, 'otlp-json');
    assert.deepEqual(r.spans.map((s) => s.spanId), ['eee19b7ec3c1b100', 'eee19b7ec3c1b101']);
  });

  it('reads JSON with comments (jsonc)', () => {
    const r = decodeTrace('// spans from the study\n[{"traceId":"a","id":"b"} /* one */]');
    assert.equal(r.spans.length, 1);
  });

  it('reads UTF-8 bytes with a BOM as JSON', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('[{"traceId":"a","id":"b"}]')]);
    assert.equal(decodeTrace(bytes).format, 'zipkin-v2');
  });

  it('decodes an already-parsed backend answer to the same spans as its text, without parsing it again', () => {
    const text = fixture('examples/zipkin-data-model-trace.json');
    const fromValue = decodeJsonValue(JSON.parse(text));
    assert.equal(fromValue.format, 'zipkin-v2');
    assert.deepEqual(fromValue.spans, decodeTrace(text).spans);
    assert.deepEqual(decodeJsonValue(JSON.parse(fixture('jaeger-trace.json'))).spans, decodeTrace(fixture('jaeger-trace.json')).spans);
  });

  it('refuses a parsed value it cannot read with a typed error naming the JSON path', () => {
    assert.match(expectDecodeError(() => decodeJsonValue({ hello: 1 })).reason, /keys "hello"/);
    const e = expectDecodeError(() => decodeJsonValue([{ traceId: 'zz-not-hex', id: 'b' }]));
    assert.equal(e.position, undefined);
    assert.ok(e.path, `a path names the bad value: ${e.message}`);
  });
});
