import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTraces } from '../../src/shared/trace/link';
import { expectDecodeError, fixture } from './helpers';

describe('Jaeger JSON decoder', () => {
  const { format, spans } = decodeTrace(fixture('jaeger-trace.json'));

  it('is detected as Jaeger JSON and takes services from the processes', () => {
    assert.equal(format, 'jaeger-json');
    assert.deepEqual(spans.map((s) => s.service), ['frontend', 'frontend', 'worker']);
    assert.deepEqual(spans[0].resource, [
      { key: 'service.name', value: 'frontend' },
      { key: 'hostname', value: 'h1' },
    ]);
  });

  it('uses the first CHILD_OF reference as parent, and FOLLOWS_FROM when it is the only one', () => {
    assert.equal(spans[1].parentId, '00f067aa0ba902b7');
    assert.equal(spans[2].parentId, 'b7ad6b7169203331');
    const [t] = linkTraces(spans);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2]);
  });

  it('lifts span.kind, error, otel.status_description and otel.scope.name out of the tags', () => {
    assert.equal(spans[0].kind, 'server');
    assert.equal(spans[0].scope?.name, 'io.opentelemetry.http');
    assert.equal(spans[1].kind, 'client');
    assert.deepEqual(spans[1].status, { code: 'error', message: 'upstream failed' });
    assert.ok(!spans[1].attributes.some((a) => a.key === 'span.kind' || a.key === 'error'));
  });

  it('keeps typed tags: int64 as number, int64 beyond 2^53 as string, binary as base64 text', () => {
    const byKey = Object.fromEntries(spans[1].attributes.map((a) => [a.key, a.value]));
    assert.equal(byKey['http.status_code'], 500);
    assert.equal(byKey.big, '9223372036854775222');
    assert.equal(byKey.blob, 'AAAwOQ==');
  });

  it('turns logs into events named by their "event" field', () => {
    assert.deepEqual(spans[1].events, [{ timeUs: 1485467191640000, name: 'exception', attributes: [{ key: 'exception.message', value: 'boom' }] }]);
  });

  it('reports a processID that is not in processes', () => {
    const bad = JSON.parse(fixture('jaeger-trace.json'));
    bad.data[0].spans[0].processID = 'p9';
    const e = expectDecodeError(() => decodeTrace(JSON.stringify(bad, null, 1)));
    assert.match(e.reason, /processID "p9" is not in the trace's processes/);
    assert.equal(e.path, 'data[0].spans[0].processID');
  });
});
