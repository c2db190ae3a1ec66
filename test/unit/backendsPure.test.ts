/** The pure parts of the backends: settings validation, query building, re-stamping, ingest plans. */
import * as assert from 'node:assert/strict';
import { ingestPlan, splitPosition } from '../../src/cli/remote';
import { parseEndpoints } from '../../src/node/sources/endpointConfig';
import { goDuration } from '../../src/shared/time';
import { traceqlOf } from '../../src/shared/query/traceql';
import { zipkinQuery } from '../../src/node/sources/zipkinSource';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTrace } from '../../src/shared/trace/link';
import { restampSpans } from '../../src/shared/trace/restamp';
import { fixture } from './helpers';

describe('endpoint settings', () => {
  it('keeps good endpoints and explains each bad one, including secrets put in headers', () => {
    const { endpoints, problems } = parseEndpoints([
      { name: 'Tempo', type: 'tempo', url: 'http://localhost:3200', ingestUrl: 'http://localhost:9411', tenant: 'a' },
      { name: 'tempo', type: 'tempo', url: 'http://x' },
      { name: 'Z', type: 'zipkin', url: 'localhost:9411' },
      { name: 'J', type: 'jaeger', url: 'http://j', headers: { Authorization: 'Bearer x' } },
      { name: 'L', type: 'local', url: 'http://l' },
      'nope',
    ]);
    assert.deepEqual(endpoints.map((e) => [e.name, e.type, e.tenant]), [['Tempo', 'tempo', 'a']]);
    assert.deepEqual(problems.map((p) => p.message), [
      'endpoint 2 ("tempo"): the name "tempo" is used twice',
      'endpoint 3 ("Z"): url must start with http:// or https://',
      'endpoint 4 ("J"): header Authorization carries a secret: remove it and run "Trace Explorer: Set Endpoint Credentials…" instead',
      'endpoint 5 ("L"): the local endpoint is built in; configure it with traceExplorer.local.*',
      'endpoint 6: must be an object with name, type and url',
    ]);
  });
});

describe('query building', () => {
  it('Zipkin: µs durations, lower-cased names (as Zipkin stores them), tags as annotationQuery', () => {
    const q = zipkinQuery({ service: 'Frontend', operation: 'GET /X', minDurationUs: 1500, tags: { 'http.method': 'GET', error: '' }, lookbackMs: 60_000, endMs: 1_700_000_000_000 }, 10);
    assert.deepEqual(q, { serviceName: 'frontend', spanName: 'get /x', minDuration: 1500, maxDuration: undefined, annotationQuery: 'http.method=GET and error', endTs: 1_700_000_000_000, lookback: 60_000, limit: 10 });
    assert.equal(zipkinQuery({ maxDurationUs: 10 }, 5).minDuration, 1, 'maxDuration alone needs a minDuration');
  });

  it('Tempo: TraceQL with quoted literals and Go durations', () => {
    assert.equal(traceqlOf({}), '{}');
    assert.equal(traceqlOf({ service: 'a"b', tags: { 'span.http.route': '/x' } }), '{ resource.service.name = "a\\"b" && span.http.route = "/x" }');
    assert.deepEqual([goDuration(2_000_000), goDuration(1500), goDuration(1000), goDuration(7)], ['2s', '1500us', '1ms', '7us']);
  });

  it('send plans: Zipkin path added, OTLP protobuf for /v1/traces, Tempo by its receiver URL', () => {
    assert.deepEqual(ingestPlan('http://localhost:9411', undefined, false), { url: 'http://localhost:9411/api/v2/spans', format: 'zipkin' });
    assert.deepEqual(ingestPlan('http://localhost:4318/v1/traces', undefined, false), { url: 'http://localhost:4318/v1/traces', format: 'otlp-proto' });
    assert.deepEqual(ingestPlan('http://localhost:4318', 'jaeger', true), { url: 'http://localhost:4318/v1/traces', format: 'otlp-json' });
    assert.deepEqual(ingestPlan('http://localhost:9411', 'tempo', false), { url: 'http://localhost:9411', format: 'zipkin' });
    assert.deepEqual(splitPosition('a/b.sh:17:9'), { file: 'a/b.sh', line: 17, column: 9 });
    assert.deepEqual(splitPosition('a/b.json'), { file: 'a/b.json' });
  });
});

describe('re-stamping', () => {
  it('gives fresh ids that keep the tree, moves the latest end to now, and shifts events with their spans', () => {
    const spans = decodeTrace(fixture('examples/zipkin-data-model-trace.json')).spans;
    const now = 1_800_000_000_000_000;
    const fresh = restampSpans(spans, now);
    const before = linkTrace(spans);
    const after = linkTrace(fresh);
    assert.deepEqual(Array.from(after.depth), Array.from(before.depth));
    assert.deepEqual(after.spans.map((s) => s.name), before.spans.map((s) => s.name));
    assert.notEqual(fresh[0].traceId, spans[0].traceId);
    assert.equal(fresh[0].traceId.length, 32);
    assert.ok(fresh.every((s) => !spans.some((o) => o.spanId === s.spanId)));
    assert.equal(Math.max(...fresh.map((s) => s.startUs + s.durationUs)), now);
    const shift = fresh[0].startUs - spans[0].startUs;
    assert.equal(fresh[0].events[0].timeUs - spans[0].events[0].timeUs, shift);
  });
});
