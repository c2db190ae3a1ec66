/**
 * Real inputs no one here wrote: the OpenTelemetry Python and JS SDKs export a small trace through
 * their real exporters into a loopback capture server (and Python's console exporter to stdout), and
 * the core decodes every captured body to the trace the program made.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeTrace } from '../../src/shared/formats/detect';
import type { Span } from '../../src/shared/model';
import { linkTraces } from '../../src/shared/trace/link';
import { CaptureServer } from '../peers/captureServer';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const PYTHON = join(ROOT, '.cache', 'python', 'bin', 'python');

/** OTLP bodies by content type (exporters drop any query string, so the type tells them apart). */
function otlpBodies(capture: CaptureServer, type: 'json' | 'protobuf'): Array<{ body: Buffer; contentType: string }> {
  return capture.at('/v1/traces').filter((r) => r.contentType.includes(type));
}

function byName(spans: readonly Span[], name: string): Span {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span named ${name} in ${spans.map((x) => x.name).join(', ')}`);
  return s;
}

describe('real OpenTelemetry Python SDK output', function () {
  const capture = new CaptureServer();
  let consoleText = '';

  before(async () => {
    if (!existsSync(PYTHON)) throw new Error(`the Python SDK is not installed in ${PYTHON}: run \`node scripts/setup-python.mjs\` (npm test does)`);
    const base = await capture.start();
    const r = await run(PYTHON, [join(__dirname, 'python', 'emit.py'), base], { timeout: 45000 });
    consoleText = r.stdout;
  });
  after(() => capture.stop());

  it('console exporter output (a stream of JSON objects) decodes to foo → bar → baz', () => {
    const { format, spans } = decodeTrace(consoleText);
    assert.equal(format, 'otel-python-console');
    const [t] = linkTraces(spans);
    assert.deepEqual(t.spans.map((s) => [s.name, t.depth[t.spans.indexOf(s)]]), [['foo', 0], ['bar', 1], ['baz', 2]]);
    assert.equal(t.spans[0].service, 'py-sdk-service');
    assert.equal(t.spans[0].kind, 'server');
  });

  it('OTLP/HTTP protobuf body decodes to the same spans, ids and µs times as the console output', () => {
    const bodies = capture.at('/v1/traces');
    assert.ok(bodies.length >= 3, `expected one request per span, got ${bodies.length}`);
    assert.match(bodies[0].contentType, /application\/x-protobuf/);
    const proto = bodies.flatMap((b) => decodeTrace(new Uint8Array(b.body)).spans);
    const consoleSpans = decodeTrace(consoleText).spans;
    for (const name of ['foo', 'bar', 'baz']) {
      const p = byName(proto, name);
      const c = byName(consoleSpans, name);
      assert.deepEqual([p.traceId, p.spanId, p.parentId], [c.traceId, c.spanId, c.parentId]);
      // The console exporter formats times through a float of the seconds, so it may round where the
      // protobuf's exact nanoseconds are truncated: the two agree to 1 µs.
      assert.ok(Math.abs(p.startUs - c.startUs) <= 1, `${name} starts ${p.startUs} (protobuf) vs ${c.startUs} (console)`);
      assert.ok(Math.abs(p.durationUs - c.durationUs) <= 2, `${name} lasts ${p.durationUs} (protobuf) vs ${c.durationUs} (console)`);
    }
    const baz = byName(proto, 'baz');
    assert.deepEqual(baz.status, { code: 'error', message: 'boom from python' });
    assert.equal(baz.attributes.find((a) => a.key === 'code.line.number')?.value, 31);
    const exc = baz.events.find((e) => e.name === 'exception');
    assert.ok(exc, 'the recorded exception is an event');
    assert.match(String(exc.attributes.find((a) => a.key === 'exception.stacktrace')?.value), /Traceback \(most recent call last\):[\s\S]*File ".*emit\.py", line \d+, in fail/);
  });

  it('Zipkin JSON exporter body decodes to the same tree, with the error tag as status', () => {
    const spans = capture.at('/api/v2/spans').flatMap((b) => decodeTrace(b.body.toString('utf8')).spans);
    const [t] = linkTraces(spans);
    assert.deepEqual(t.spans.map((s) => s.name), ['foo', 'bar', 'baz']);
    assert.equal(t.services[0], 'py-sdk-service');
    assert.equal(byName(spans, 'baz').status.code, 'error');
    assert.equal(byName(spans, 'foo').kind, 'server');
  });
});

describe('real OpenTelemetry JS SDK output', function () {
  const capture = new CaptureServer();

  before(async () => {
    const base = await capture.start();
    await run(process.execPath, [join(__dirname, 'js', 'emit.mjs'), base], { timeout: 45000, cwd: ROOT });
  });
  after(() => capture.stop());

  function check(spans: Span[], how: string): void {
    const [t] = linkTraces(spans);
    assert.deepEqual(t.spans.map((s) => s.name), ['GET /checkout', 'charge'], how);
    assert.deepEqual(Array.from(t.depth), [0, 1], how);
    const charge = byName(spans, 'charge');
    assert.equal(charge.status.code, 'error', how);
    assert.ok(charge.events.some((e) => e.name === 'exception'), how);
    assert.ok(charge.events.some((e) => e.name === 'retry'), how);
    assert.equal(t.services[0], 'js-sdk-service', how);
  }

  it('OTLP/HTTP JSON body (hex ids, integer enums, string nanos) decodes to the trace', () => {
    const bodies = otlpBodies(capture, 'json');
    assert.ok(bodies.length >= 2);
    assert.match(bodies[0].contentType, /application\/json/);
    const spans = bodies.flatMap((b) => decodeTrace(b.body.toString('utf8')).spans);
    check(spans, 'otlp-json');
    const root = byName(spans, 'GET /checkout');
    assert.equal(root.kind, 'server');
    assert.equal(root.attributes.find((a) => a.key === 'big.count')?.value, 12345678901);
    const exc = byName(spans, 'charge').events.find((e) => e.name === 'exception')!;
    assert.match(String(exc.attributes.find((a) => a.key === 'exception.stacktrace')?.value), /Error: boom from node\n\s+at fail \(.*emit\.mjs:\d+:\d+\)/);
  });

  it('OTLP/HTTP protobuf body decodes to the same spans as the JSON body', () => {
    const proto = otlpBodies(capture, 'protobuf').flatMap((b) => decodeTrace(new Uint8Array(b.body)).spans);
    const json = otlpBodies(capture, 'json').flatMap((b) => decodeTrace(b.body.toString('utf8')).spans);
    check(proto, 'otlp-proto');
    const key = (s: Span): string => s.spanId;
    assert.deepEqual([...proto].sort((a, b) => key(a).localeCompare(key(b))), [...json].sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('Zipkin exporter body decodes to the same tree', () => {
    const spans = capture.at('/api/v2/spans').flatMap((b) => decodeTrace(b.body.toString('utf8')).spans);
    check(spans, 'zipkin');
  });
});
