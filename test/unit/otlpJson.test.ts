import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTraces } from '../../src/shared/trace/link';
import { expectDecodeError, fixture } from './helpers';
import { digitStringToMicros, nanosToMicros } from '../../src/shared/time';

describe('OTLP/JSON decoder (and Tempo, Jaeger v3 wrappers)', () => {
  it('reads the OTLP test span: hex ids, integer enums, nanosecond strings', () => {
    const { format, spans } = decodeTrace(fixture('otlp-test-span.json'));
    assert.equal(format, 'otlp-json');
    const [s] = spans;
    assert.equal(s.traceId, '5b8efff798038103d269b633813fc700');
    assert.equal(s.spanId, 'eee19b7ec3c1b100');
    assert.equal(s.kind, 'server');
    assert.equal(s.service, 'vscode-test');
    assert.equal(s.startUs, 1700000000000000);
    assert.equal(s.durationUs, 250000);
    assert.deepEqual(s.status, { code: 'error', message: 'failed' });
    assert.deepEqual(s.attributes, [
      { key: 'code.file.path', value: '/src/app.ts' },
      { key: 'code.line.number', value: 42 },
    ]);
    assert.equal(s.events[0].timeUs, 1700000000100000);
    assert.deepEqual(s.scope, { name: 'trace-viewer', version: '0.1.0' });
  });

  it('reads Tempo v1 "batches" with base64 ids and enum names', () => {
    const { format, spans } = decodeTrace(fixture('tempo-v1-trace.json'));
    assert.equal(format, 'tempo-v1');
    assert.equal(spans[0].traceId, '5b8efff798038103d269b633813fc700');
    assert.equal(spans[0].spanId, 'eee19b7ec3c1b100');
    assert.equal(spans[0].kind, 'server');
    assert.deepEqual(spans[0].status, { code: 'error', message: 'boom' });
    assert.equal(spans[1].parentId, 'eee19b7ec3c1b100');
    assert.equal(spans[1].kind, 'client');
  });

  it('keeps a 64-bit integer attribute beyond 2^53 exact, as a decimal string', () => {
    const { spans } = decodeTrace(fixture('tempo-v1-trace.json'));
    assert.equal(spans[0].attributes.find((a) => a.key === 'big')?.value, '9223372036854775222');
    assert.equal(spans[0].attributes.find((a) => a.key === 'http.status_code')?.value, 500);
  });

  it('converts nanosecond strings without float rounding: a 20,001.2 µs span stays 20,001.2 µs', () => {
    const { spans } = decodeTrace(fixture('tempo-v1-trace.json'));
    // 1689969302010000500 → 1689969302030001700 ns
    assert.equal(spans[1].startUs, 1689969302010000);
    assert.equal(spans[1].durationUs, 20001.2);
  });

  it('reads Tempo v2 {trace:{resourceSpans}} to the same spans as v1', () => {
    const v1 = decodeTrace(fixture('tempo-v1-trace.json'));
    const v2 = decodeTrace(fixture('tempo-v2-trace.json'));
    assert.equal(v2.format, 'tempo-v2');
    assert.deepEqual(v2.spans, v1.spans);
  });

  it('reads Tempo v2 "not found" (200 with an empty trace) as zero spans', () => {
    const r = decodeTrace(fixture('tempo-v2-not-found.json'));
    assert.equal(r.format, 'tempo-v2');
    assert.equal(r.spans.length, 0);
    assert.deepEqual(linkTraces(r.spans), []);
  });

  it('reads Jaeger /api/v3 {result:{resourceSpans}}', () => {
    const r = decodeTrace(fixture('jaeger-v3-trace.json'));
    assert.equal(r.format, 'jaeger-v3');
    assert.deepEqual(r.spans, decodeTrace(fixture('otlp-test-span.json')).spans);
  });

  it('reads the deprecated instrumentationLibrarySpans of old SDKs and Tempo 1.x', () => {
    const doc = { resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [{ traceId: '5b8efff798038103d269b633813fc700', spanId: 'eee19b7ec3c1b100', name: 'x' }] }] }] };
    const { spans } = decodeTrace(JSON.stringify(doc));
    assert.equal(spans[0].scope?.name, 'old');
  });

  it('accepts int64 times and values given as JSON numbers', () => {
    const doc = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc700', spanId: 'eee19b7ec3c1b100', startTimeUnixNano: 1700000000000000000, endTimeUnixNano: 1700000000001000000, attributes: [{ key: 'n', value: { intValue: 7 } }] }] }] }] };
    const { spans } = decodeTrace(JSON.stringify(doc));
    assert.equal(spans[0].durationUs, 1000);
    assert.equal(spans[0].attributes[0].value, 7);
  });

  it('reads array, kvlist and bytes attribute values', () => {
    const doc = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc700', spanId: 'eee19b7ec3c1b100', attributes: [
      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '2' }] } } },
      { key: 'm', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
      { key: 'b', value: { bytesValue: 'AAAwOQ==' } },
      { key: 'e', value: {} },
    ] }] }] }] };
    const { spans } = decodeTrace(JSON.stringify(doc));
    assert.deepEqual(spans[0].attributes.map((a) => a.value), [['x', 2], { k: true }, 'AAAwOQ==', null]);
  });

  it('rejects a span id that is neither hex nor base64 of 8 bytes, pointing at it', () => {
    const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc700', spanId: 'nothex!' }] }] }] }, null, 2);
    const e = expectDecodeError(() => decodeTrace(text));
    assert.match(e.reason, /spanId must be 16 hex digits or base64 of 8 bytes/);
    assert.equal(e.path, 'resourceSpans[0].scopeSpans[0].spans[0].spanId');
    assert.equal(e.position?.line, text.split('\n').findIndex((l) => l.includes('"nothex!"')) + 1);
  });

  it('rejects an unknown kind name and a non-numeric time', () => {
    const base = { traceId: '5b8efff798038103d269b633813fc700', spanId: 'eee19b7ec3c1b100' };
    const wrap = (span: object): string => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
    assert.match(expectDecodeError(() => decodeTrace(wrap({ ...base, kind: 'SPAN_KIND_BOGUS' }))).reason, /kind must be 0–5/);
    assert.match(expectDecodeError(() => decodeTrace(wrap({ ...base, startTimeUnixNano: 'yesterday' }))).reason, /nanosecond time/);
  });
});

describe('nanosecond strings to microseconds', () => {
  it('is exact for any epoch time (16 digits of µs), which a float of the nanoseconds is not', () => {
    const ns = '1795000000123456999'; // as a float: 1795000000123457024 ns
    assert.equal(digitStringToMicros(ns), 1_795_000_000_123_456);
    assert.notEqual(Math.floor(Number(ns) / 1000), 1_795_000_000_123_456);
    assert.equal(nanosToMicros(ns), 1_795_000_000_123_456);
  });

  it('beyond 2^53 µs rounds as a parser would; short strings are under a microsecond', () => {
    const huge = '98765432109876543210987';
    assert.equal(digitStringToMicros(huge), Number(huge.slice(0, -3)));
    assert.equal(digitStringToMicros('9007199254740993000'), Number('9007199254740993'));
    assert.deepEqual(['999', '5', '1000'].map(digitStringToMicros), [0, 0, 1]);
  });

  it('refuses anything but digits, and nothing', () => {
    assert.deepEqual(['', '12a4', '-1000', '1e9', ' 1000'].map(digitStringToMicros), [-1, -1, -1, -1, -1]);
    assert.ok(Number.isNaN(nanosToMicros('12a4')));
  });
});
