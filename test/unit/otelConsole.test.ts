import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTraces } from '../../src/shared/trace/link';
import { expectDecodeError, fixture } from './helpers';

describe('OpenTelemetry Python console output decoder', () => {
  it('reads the reference output as one trace foo2 → bar → baz', () => {
    const { format, spans } = decodeTrace(fixture('examples/otel-python-console-exporter.txt'));
    assert.equal(format, 'otel-python-console');
    const [t] = linkTraces(spans);
    assert.equal(t.traceId, '8342e0dad3853eb922985cbcd95e3362');
    assert.deepEqual(t.spans.map((s) => s.name), ['foo2', 'bar', 'baz']);
    assert.equal(t.rootCount, 1);
    assert.equal(t.spans[0].parentId, undefined);
    assert.equal(t.spans[1].parentId, 'd302a32ab0c215b3');
    assert.equal(t.spans[0].service, 'my-helloworld-service2');
    assert.equal(t.spans[0].kind, 'internal');
  });

  it('keeps microsecond times exactly: baz runs 38 µs from 23:57:22.572984', () => {
    const { spans } = decodeTrace(fixture('examples/otel-python-console-exporter.txt'));
    const baz = spans.find((s) => s.name === 'baz')!;
    assert.equal(baz.startUs, Date.UTC(2021, 6, 7, 23, 57, 22) * 1000 + 572984);
    assert.equal(baz.durationUs, 38);
  });

  it('reads the newer SDKs\u2019 nested resource {"attributes": {...}} and an error status', () => {
    const span = {
      name: 'handle',
      context: { trace_id: '0x5b8efff798038103d269b633813fc700', span_id: '0xeee19b7ec3c1b100', trace_state: '[]' },
      kind: 'SpanKind.SERVER',
      parent_id: null,
      start_time: '2023-07-21T19:55:02.000000Z',
      end_time: '2023-07-21T19:55:02.250000Z',
      status: { status_code: 'ERROR', description: 'boom' },
      attributes: { 'http.status_code': 500 },
      events: [{ name: 'exception', timestamp: '2023-07-21T19:55:02.100000Z', attributes: { 'exception.type': 'ValueError' } }],
      links: [],
      resource: { attributes: { 'service.name': 'api' }, schema_url: '' },
    };
    const { spans } = decodeTrace(JSON.stringify(span, null, 4));
    assert.equal(spans[0].service, 'api');
    assert.equal(spans[0].kind, 'server');
    assert.deepEqual(spans[0].status, { code: 'error', message: 'boom' });
    assert.equal(spans[0].durationUs, 250000);
    assert.deepEqual(spans[0].attributes, [{ key: 'http.status_code', value: 500 }]);
  });

  it('points at the bad time of the second object in the stream', () => {
    const text = fixture('examples/otel-python-console-exporter.txt').replace('"2021-07-07T23:57:22.572933Z"', '"yesterday"');
    const e = expectDecodeError(() => decodeTrace(text));
    assert.match(e.reason, /start_time must be an ISO-8601 time/);
    assert.equal(e.position?.line, 34);
  });
});
