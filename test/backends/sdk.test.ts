/**
 * Clients no one here wrote, into the real peers: the OpenTelemetry Python and JS SDKs export real
 * spans (OTLP protobuf and Zipkin exporters) into real Zipkin, real Jaeger and the Tempo simulator,
 * and each source reads the trace back complete — every span, its parent, its error status.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSource } from '../../src/node/sources/createSource';
import type { TraceSource } from '../../src/node/sources/traceSource';
import type { Span } from '../../src/shared/model';
import { linkTrace } from '../../src/shared/trace/link';
import { TempoSimulator } from '../peers/tempoSimulator';
import { readBack } from './readBack';
import { startJaeger, startZipkin, type Peer } from '../peers/realPeers';

const ROOT = join(__dirname, '..', '..');
const PYTHON = join(ROOT, '.cache', 'python', 'bin', 'python');
const run = promisify(execFile);

async function python(args: string[]): Promise<string> {
  if (!existsSync(PYTHON)) throw new Error(`the Python SDK is missing at ${PYTHON}: run node scripts/setup-python.mjs`);
  const { stdout } = await run(PYTHON, [join(ROOT, 'test/sdk/python/emit.py'), ...args], { timeout: 60_000 });
  const id = /"trace_id": "0x([0-9a-f]{32})"/.exec(stdout)?.[1];
  assert.ok(id, 'the console exporter printed the trace id');
  return id;
}

async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(ROOT, 'test/sdk/js/emit.mjs'), ...args], { timeout: 60_000 });
  return stdout.trim().split('\n').pop()!;
}


/** Python's trace: foo → bar → baz, baz failed with a recorded exception. */
function checkPython(spans: Span[]): void {
  const t = linkTrace(spans);
  assert.deepEqual(t.spans.map((s) => `${'  '.repeat(t.depth[t.spans.indexOf(s)])}${s.name}`), ['foo', '  bar', '    baz']);
  const baz = t.spans[2];
  assert.equal(baz.status.code, 'error');
  assert.ok(baz.events.some((e) => e.name === 'exception'), 'the exception event survived');
  assert.equal(t.spans[0].service.toLowerCase(), 'py-sdk-service');
}

/** JS's trace: GET /checkout → charge (error). */
function checkNode(spans: Span[]): void {
  const t = linkTrace(spans);
  assert.deepEqual(t.spans.map((s) => s.name.toLowerCase()), ['get /checkout', 'charge']);
  assert.equal(t.depth[1], 1);
  assert.equal(t.spans[1].status.code, 'error');
}

describe('real OpenTelemetry SDKs into the real peers, read back complete', function () {
  this.timeout(180_000);
  const peers: Array<{ stop(): Promise<void> }> = [];
  after(async () => {
    for (const p of peers) await p.stop();
  });

  describe('Zipkin (the SDKs\' Zipkin exporters)', () => {
    let zipkin: Peer;
    let source: TraceSource;
    before(async () => {
      zipkin = await startZipkin();
      peers.push(zipkin);
      source = createSource({ name: 'zipkin', type: 'zipkin', url: zipkin.url });
    });
    it('Python', async () => checkPython(await readBack(source, await python(['--zipkin', zipkin.ingestUrl]), 3)));
    it('JS', async () => checkNode(await readBack(source, await node(['--zipkin', zipkin.ingestUrl]), 2)));
  });

  describe('Jaeger (OTLP protobuf exporters; the JS Zipkin exporter into its Zipkin receiver)', () => {
    let jaeger: Peer;
    let source: TraceSource;
    before(async () => {
      jaeger = await startJaeger();
      peers.push(jaeger);
      source = createSource({ name: 'jaeger', type: 'jaeger', url: jaeger.url });
    });
    it('Python over OTLP protobuf', async () => checkPython(await readBack(source, await python(['--otlp', jaeger.ingestUrl]), 3)));
    it('JS over OTLP protobuf', async () => checkNode(await readBack(source, await node(['--otlp-proto', jaeger.ingestUrl]), 2)));
    it('JS over Zipkin', async () => checkNode(await readBack(source, await node(['--zipkin', jaeger.zipkinIngestUrl!]), 2)));
  });

  describe('the Tempo simulator (its OTLP and Zipkin receivers)', () => {
    let sim: TempoSimulator;
    let source: TraceSource;
    before(async () => {
      sim = await new TempoSimulator().start();
      peers.push(sim);
      source = createSource({ name: 'tempo', type: 'tempo', url: sim.queryUrl });
    });
    it('Python over OTLP protobuf', async () => checkPython(await readBack(source, await python(['--otlp', `${sim.otlpUrl}/v1/traces`]), 3)));
    it('JS over Zipkin', async () => checkNode(await readBack(source, await node(['--zipkin', `${sim.zipkinUrl}/api/v2/spans`]), 2)));
  });
});
