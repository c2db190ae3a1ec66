import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTraces } from '../../src/shared/trace/link';
import { expectDecodeError, fixture } from './helpers';

describe('Zipkin v2 decoder', () => {
  it('reads the three curl payloads as one trace of three nested spans with left-padded ids', () => {
    const spans = [1, 2, 3].flatMap((i) => decodeTrace(fixture(`examples/zipkin-curl-span-${i}.json`)).spans);
    const traces = linkTraces(spans);
    assert.equal(traces.length, 1);
    const t = traces[0];
    assert.equal(t.traceId, '0123456789abcde0');
    assert.deepEqual(t.spans.map((s) => s.spanId), ['0000000000001234', '0000000000005678', '0000000000006789']);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2]);
    assert.deepEqual(t.services, ['shell script']);
    assert.equal(t.spans[0].name, 'span from bash!');
    assert.deepEqual(t.spans[0].attributes, [
      { key: 'http.method', value: 'GET' },
      { key: 'http.path', value: '/api' },
    ]);
    assert.equal(t.spans[1].durationUs, 150000);
  });

  it('reads the data-model trace: depth 3, annotations become events, endpoints kept', () => {
    const { format, spans } = decodeTrace(fixture('examples/zipkin-data-model-trace.json'));
    assert.equal(format, 'zipkin-v2');
    const [t] = linkTraces(spans);
    assert.equal(t.spans.length, 5);
    assert.equal(t.levels, 3);
    const get = t.spans[0];
    assert.equal(get.name, 'get');
    assert.deepEqual(get.events.map((e) => [e.name, e.timeUs]), [['sr', 1458702548467000], ['ss', 1458702548853000]]);
    const query = t.spans.find((s) => s.spanId === 'be2d01e33cc78d97')!;
    assert.deepEqual(query.remoteEndpoint, { serviceName: 'spanstore-jdbc', ipv4: '127.0.0.1', port: 3306 });
    assert.deepEqual(query.localEndpoint, { serviceName: 'zipkin-query', ipv4: '192.168.1.2', port: 9411 });
  });

  it('accepts a single span object, a span list and a list of traces (GET /api/v2/traces)', () => {
    const one = { traceId: 'a', id: 'b', name: 'x', timestamp: 1, duration: 2 };
    assert.equal(decodeTrace(JSON.stringify(one)).spans.length, 1);
    assert.equal(decodeTrace(JSON.stringify([one, { ...one, id: 'c' }])).spans.length, 2);
    const traces = decodeTrace(JSON.stringify([[one], [{ ...one, traceId: 'd' }]]));
    assert.equal(traces.spans.length, 2);
    assert.deepEqual(traces.spans.map((s) => s.traceId), ['000000000000000a', '000000000000000d']);
  });

  it('normalises a 128-bit id whose high half is zero to the 64-bit id, as Zipkin stores it', () => {
    const { spans } = decodeTrace('[{"traceId":"00000000000000000123456789abcde0","id":"1"}]');
    assert.equal(spans[0].traceId, '0123456789abcde0');
  });

  it('keeps kind, shared, debug and lifts the error tag into the status', () => {
    const { spans } = decodeTrace(
      JSON.stringify([{ traceId: 'ab', id: 'cd', kind: 'SERVER', shared: true, debug: true, tags: { error: 'connection refused' } }]),
    );
    assert.equal(spans[0].kind, 'server');
    assert.equal(spans[0].shared, true);
    assert.equal(spans[0].debug, true);
    assert.deepEqual(spans[0].status, { code: 'error', message: 'connection refused' });
  });

  it('splits a collector-style annotation "name|{json}|0" back into an event with attributes', () => {
    const { spans } = decodeTrace('[{"traceId":"ab","id":"cd","annotations":[{"timestamp":5,"value":"retry|{\\"attempt\\":2}|0"}]}]');
    assert.deepEqual(spans[0].events, [{ timeUs: 5, name: 'retry', attributes: [{ key: 'attempt', value: 2 }] }]);
  });

  it('finds the JSON part of such an annotation even when the event name contains "|{"', () => {
    const { spans } = decodeTrace(JSON.stringify([{ traceId: 'ab', id: 'cd', annotations: [{ timestamp: 5, value: 'a|{b|{"k":1}|0' }] }]));
    assert.deepEqual(spans[0].events, [{ timeUs: 5, name: 'a|{b', attributes: [{ key: 'k', value: 1 }] }]);
  });

  it('reads the OpenTelemetry Python Zipkin exporter\'s {"name": {attributes}} annotation as an event', () => {
    const value = JSON.stringify({ exception: { 'exception.type': 'ValueError', 'exception.message': 'boom' } });
    const { spans } = decodeTrace(JSON.stringify([{ traceId: 'ab', id: 'cd', annotations: [{ timestamp: 5, value }, { timestamp: 6, value: '{"not": "an event"}' }] }]));
    assert.deepEqual(spans[0].events[0], { timeUs: 5, name: 'exception', attributes: [{ key: 'exception.type', value: 'ValueError' }, { key: 'exception.message', value: 'boom' }] });
    assert.equal(spans[0].events[1].name, '{"not": "an event"}');
  });

  it('rejects a non-hex trace id with the line and column of the value', () => {
    const text = '[\n  {\n    "traceId": "xyz",\n    "id": "1"\n  }\n]';
    const e = expectDecodeError(() => decodeTrace(text));
    assert.match(e.reason, /traceId must be 1–32 hex digits/);
    assert.equal(e.path, '[0].traceId');
    assert.deepEqual([e.position?.line, e.position?.column], [3, 16]);
  });

  it('rejects a span without id, an annotation without timestamp and an object-valued tag', () => {
    assert.match(expectDecodeError(() => decodeTrace('[{"traceId":"a"}]')).reason, /id is required/);
    assert.match(expectDecodeError(() => decodeTrace('[{"traceId":"a","id":"b","annotations":[{"value":"cs"}]}]')).reason, /annotation needs a "timestamp"/);
    assert.match(expectDecodeError(() => decodeTrace('[{"traceId":"a","id":"b","tags":{"x":{"y":1}}}]')).reason, /tag "x" must be a string/);
  });

  it('drops an all-zero parent id and a self-parent, as Zipkin does', () => {
    const { spans } = decodeTrace('[{"traceId":"a","id":"b","parentId":"0000000000000000"},{"traceId":"a","id":"c","parentId":"c"}]');
    assert.equal(spans[0].parentId, undefined);
    assert.equal(spans[1].parentId, undefined);
  });
});
