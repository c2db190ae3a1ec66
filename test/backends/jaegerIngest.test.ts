/**
 * Jaeger clients nobody here wrote, into the local receiver: the reference script otel-python-jaeger.py,
 * unchanged (OpenTelemetry Python's Jaeger Thrift exporter, UDP 6831, compact), and jaeger-client for
 * Node (UDP binary to the agent port, and HTTP to the collector's /api/traces). Then what a sender gets
 * for bad data: 400 with the reason over HTTP; over UDP a count and one log line per sender, nothing stored.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalReceiver } from '../../src/node/receiver';
import { TraceStore } from '../../src/shared/store/traceStore';
import { until } from './helpers/wait';
import { linkTrace } from '../../src/shared/trace/link';
import { writeJaegerThrift } from '../unit/jaegerThriftWriter';

const ROOT = join(__dirname, '..', '..');
const PYTHON_JAEGER = join(ROOT, '.cache', 'python-jaeger', 'bin', 'python');
const run = promisify(execFile);

function tree(store: TraceStore, traceId: string): string[] {
  const t = linkTrace(store.get(traceId) ?? []);
  return t.spans.map((s, r) => `${'  '.repeat(t.depth[r])}${s.name}`);
}

describe('Jaeger clients into the local receiver', function () {
  this.timeout(120_000);
  const store = new TraceStore();
  const logged: string[] = [];
  let receiver: LocalReceiver;
  let ports: Record<string, number>;

  before(async () => {
    // The reference script is run unchanged, so the compact port is the agent's own: 6831.
    receiver = new LocalReceiver(store, { otlpPort: 0, zipkinPort: null, jaegerCompactPort: 6831, jaegerBinaryPort: 0, jaegerHttpPort: 0, log: (l) => logged.push(l) });
    const results = await receiver.start();
    const failed = results.filter((r) => r.error);
    if (failed.length) throw new Error(`the receiver could not listen: ${failed.map((r) => r.error).join('; ')}`);
    ports = Object.fromEntries(results.map((r) => [r.name, r.port!]));
  });
  after(() => receiver.stop());

  it('the reference script otel-python-jaeger.py, unchanged, lands foo → bar → baz of my-helloworld-service', async () => {
    if (!existsSync(PYTHON_JAEGER)) throw new Error(`the Jaeger exporter's Python environment is missing at ${PYTHON_JAEGER}: run node scripts/setup-python.mjs`);
    const before = store.stats().traces;
    const { stdout } = await run(PYTHON_JAEGER, [join(ROOT, 'test/fixtures/examples/otel-python-jaeger.py')], { timeout: 60_000 });
    assert.match(stdout, /Hello world from OpenTelemetry Python!/);
    const row = await until('the script\u2019s trace', () => store.list({ service: 'my-helloworld-service', limit: 5 })[0]);
    assert.equal(store.stats().traces, before + 1);
    assert.deepEqual(tree(store, row.traceId), ['foo', '  bar', '    baz']);
    assert.equal(row.traceId.length, 32);
    assert.equal(receiver.udp.refused, 0);
  });

  it('jaeger-client for Node over UDP (Thrift binary, the agent port): checkout → charge → ledger with tags, error and log', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'test/sdk/js/emit-jaeger.mjs'), 'udp', String(ports['jaeger-binary'])], { timeout: 30_000 });
    const id = stdout.trim().padStart(16, '0');
    const spans = await until('the Node client\u2019s trace', () => store.get(id));
    assert.deepEqual(tree(store, id), ['checkout', '  charge', '    ledger']);
    const charge = spans.find((s) => s.name === 'charge')!;
    assert.equal(charge.service, 'node-jaeger-udp');
    assert.equal(charge.kind, 'client');
    assert.equal(charge.status.code, 'error');
    assert.deepEqual(charge.attributes.filter((a) => a.key === 'amount.cents' || a.key === 'ratio'), [{ key: 'amount.cents', value: 1250 }, { key: 'ratio', value: 0.5 }]);
    assert.deepEqual(charge.events.map((e) => [e.name, e.attributes]), [['retry', [{ key: 'attempt', value: 2 }]]]);
    assert.ok(charge.resource.some((a) => a.key === 'client.kind' && a.value === 'udp'), 'process tags are the resource');
  });

  it('jaeger-client for Node over HTTP to the collector port: the same trace, 202', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'test/sdk/js/emit-jaeger.mjs'), 'http', `http://127.0.0.1:${ports['jaeger-http']}/api/traces`], { timeout: 30_000 });
    const id = stdout.trim().padStart(16, '0');
    await until('the HTTP trace', () => store.get(id));
    assert.deepEqual(tree(store, id), ['checkout', '  charge', '    ledger']);
    assert.equal(store.get(id)![0].service, 'node-jaeger-http');
  });

  it('HTTP: a truncated Batch gets 400 with the reason, and nothing of it is stored', async () => {
    const good = writeJaegerThrift({ serviceName: 'cut', spans: [{ traceLow: '0000000000000abc', traceHigh: '0000000000000000', spanId: '0000000000000001', parentSpanId: '0000000000000000', operationName: 'x', flags: 1, startTime: 1, duration: 1 }] }, 'binary', false);
    const res = await fetch(`http://127.0.0.1:${ports['jaeger-http']}/api/traces`, { method: 'POST', headers: { 'content-type': 'application/x-thrift' }, body: Buffer.from(good.subarray(0, good.length - 5)) });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Unable to process request body: offset \d+: binary Thrift: .*(runs past the end|ends in the middle of a value)/);
    assert.equal(store.get('0000000000000abc'), undefined);
    const ok = await fetch(`http://127.0.0.1:${ports['jaeger-http']}/api/traces`, { method: 'POST', headers: { 'content-type': 'application/vnd.apache.thrift.binary' }, body: Buffer.from(good) });
    assert.equal(ok.status, 202);
    assert.equal(store.get('0000000000000abc')?.length, 1);
  });

  it('UDP: hostile datagrams are counted, logged once per sender, never stored, and the port keeps working', async () => {
    const socket = createSocket('udp4');
    const sendTo = (bytes: Uint8Array): Promise<void> => new Promise((r, j) => socket.send(bytes, ports['jaeger-binary'], '127.0.0.1', (e) => (e ? j(e) : r())));
    const start = { ...receiver.udp };
    const logsBefore = logged.length;
    const good = writeJaegerThrift({ serviceName: 'after-junk', spans: [{ traceLow: '0000000000000def', traceHigh: '0000000000000000', spanId: '0000000000000002', parentSpanId: '0000000000000000', operationName: 'y', flags: 1, startTime: 1, duration: 1 }] }, 'binary');
    try {
      for (const junk of [good.subarray(0, 20), new Uint8Array([0x80, 0x01, 0x00, 0x04, 0xff, 0xff, 0xff, 0xff]), new Uint8Array(1000).fill(0x1c), new Uint8Array([1, 2, 3])]) await sendTo(junk);
      await sendTo(good);
      await until('the good datagram after the junk', () => store.get('0000000000000def'));
    } finally {
      socket.close();
    }
    assert.equal(receiver.udp.datagrams - start.datagrams, 5);
    assert.equal(receiver.udp.refused - start.refused, 4);
    assert.equal(receiver.udp.spans - start.spans, 1);
    const lines = logged.slice(logsBefore);
    assert.equal(lines.length, 1, `one log line for one sender, got ${lines.join(' | ')}`);
    assert.match(lines[0], /refused a 20-byte datagram on the jaeger-binary port from 127\.0\.0\.1:\d+: .*later ones from there are counted, not logged/);
  });
});
