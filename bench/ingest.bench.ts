/**
 * The local receiver's ingest rate for OTLP protobuf on loopback, next to the floor: a plain Node HTTP
 * server that only reads and discards the same bodies. The load comes from another process (another
 * core), posting SDK-sized batches over 8 keep-alive connections for a bounded time; receiver and
 * floor take turns, so machine drift hits both. Targets: ≥ 50,000 spans/s, and within 2× of the floor.
 *
 * Two workloads: batches that each hold one trace, and batches as an SDK's batch processor sends them
 * from a busy service — one resource, spans of 8 traces interleaved in the order they ended — which the
 * receiver must split by trace. Afterwards every trace kept must decode: the receiver keeps protobuf
 * encoded until read, so the bench reads the store back and times that too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalReceiver } from '../src/node/receiver';
import { encodeSpans } from '../src/shared/formats/encode';
import type { Attribute, Span } from '../src/shared/model';
import { TraceStore } from '../src/shared/store/traceStore';
import { generateTrace } from './generate';

const BATCH = 512; // the OpenTelemetry SDKs' default max export batch size
const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);

async function load(url: string, bodiesFile: string): Promise<{ requests: number; failures: number; ms: number; cpuMs: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', '..', 'bench', 'ingestLoad.mjs'), url, String(SECONDS), bodiesFile], { timeout: (SECONDS + 30) * 1000 });
  return JSON.parse(stdout);
}

async function floorServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.statusCode = 200;
      res.setHeader('content-type', 'application/x-protobuf');
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, server };
}

/** 16 batches of one trace each, so the store sees new traces, grows and evicts as in use. */
function oneTracePerBatch(): Uint8Array[] {
  return Array.from({ length: 16 }, (_, k) => encodeSpans(generateTrace(BATCH, 100 + k), 'otlp-proto').body as Uint8Array);
}

/** 16 batches from one SDK: one resource and scope, spans of 8 traces interleaved by end time. */
function interleavedBatches(): Uint8Array[] {
  const resource: Attribute[] = [
    { key: 'service.name', value: 'checkout' },
    { key: 'host.name', value: 'checkout-7d9f8-42' },
    { key: 'telemetry.sdk.language', value: 'nodejs' },
  ];
  const scope = { name: '@opentelemetry/instrumentation-http', version: '0.57.0' };
  return Array.from({ length: 16 }, (_, k) => {
    const spans: Span[] = [];
    for (let t = 0; t < 8; t++) for (const s of generateTrace(BATCH / 8, 1000 + k * 8 + t)) spans.push({ ...s, service: 'checkout', resource, scope });
    spans.sort((a, b) => a.startUs + a.durationUs - (b.startUs + b.durationUs));
    return encodeSpans(spans, 'otlp-proto').body as Uint8Array;
  });
}

interface WorkloadResult {
  workload: string;
  receiver: number;
  floor: number;
  failures: number;
  busy: { receiver: number; floor: number };
  /** CPU µs per request: the server process, and the load generator. */
  perRequest: { receiver: number; floor: number; clientWithReceiver: number; clientWithFloor: number };
  kept: number;
  traces: number;
  decodeMs: number;
  bodyKb: number;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function measure(workload: string, bodies: Uint8Array[]): Promise<WorkloadResult> {
  const file = join(mkdtempSync(join(tmpdir(), 'te-bench-')), 'bodies.json');
  writeFileSync(file, JSON.stringify(bodies.map((b) => Buffer.from(b).toString('base64'))));
  const store = new TraceStore(200_000);
  const receiver = new LocalReceiver(store, { otlpPort: 0, zipkinPort: null });
  const [{ port }] = await receiver.start();
  const floor = await floorServer();
  const rates = { receiver: [] as number[], floor: [] as number[] };
  const busy = { receiver: [] as number[], floor: [] as number[] };
  const perRequest = { receiver: [] as number[], floor: [] as number[], clientWithReceiver: [] as number[], clientWithFloor: [] as number[] };
  let failures = 0;
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // CPU time of this process (the server side) per wall second: ~1 means the server is the bottleneck.
      let c = process.cpuUsage();
      const a = await load(`http://127.0.0.1:${port}/v1/traces`, file);
      c = process.cpuUsage(c);
      busy.receiver.push((c.user + c.system) / 1000 / a.ms);
      perRequest.receiver.push((c.user + c.system) / a.requests);
      perRequest.clientWithReceiver.push((a.cpuMs * 1000) / a.requests);
      c = process.cpuUsage();
      const b = await load(floor.url, file);
      c = process.cpuUsage(c);
      busy.floor.push((c.user + c.system) / 1000 / b.ms);
      perRequest.floor.push((c.user + c.system) / b.requests);
      perRequest.clientWithFloor.push((b.cpuMs * 1000) / b.requests);
      failures += a.failures + b.failures;
      rates.receiver.push((a.requests * BATCH) / (a.ms / 1000));
      rates.floor.push((b.requests * BATCH) / (b.ms / 1000));
    }
  } finally {
    await receiver.stop();
    floor.server.close();
  }
  // What was acknowledged must be readable: decode everything kept (services() reads every trace).
  const kept = store.stats().spans;
  const t = performance.now();
  store.services();
  const decodeMs = performance.now() - t;
  const stats = store.stats();
  if (stats.undecodable > 0 || stats.spans !== kept) throw new Error(`ingest bench: ${stats.undecodable} acknowledged spans did not decode (${stats.lastDecodeError})`);
  return { workload, receiver: median(rates.receiver), floor: median(rates.floor), failures, busy: { receiver: median(busy.receiver), floor: median(busy.floor) }, perRequest: { receiver: median(perRequest.receiver), floor: median(perRequest.floor), clientWithReceiver: median(perRequest.clientWithReceiver), clientWithFloor: median(perRequest.clientWithFloor) }, kept, traces: stats.traces, decodeMs, bodyKb: bodies[0].length / 1024 };
}

export async function runIngestBench(): Promise<Array<{ name: string; value: string; ratio: number; target: string; met: boolean }>> {
  const out: Array<{ name: string; value: string; ratio: number; target: string; met: boolean }> = [];
  for (const [name, bodies] of [['one trace per batch', oneTracePerBatch()], ['8 traces interleaved per batch', interleavedBatches()]] as const) {
    const r = await measure(name, bodies);
    console.log(
      `ingest bench (${r.workload}): OTLP protobuf, ${BATCH}-span batches (${r.bodyKb.toFixed(0)} kB), 8 connections, ${ROUNDS}×${SECONDS} s each, ${r.failures} failed requests; ` +
        `server CPU per wall second: receiver ${r.busy.receiver.toFixed(2)}, floor ${r.busy.floor.toFixed(2)}; ` +
        `CPU per request: receiver ${r.perRequest.receiver.toFixed(0)} µs (its client ${r.perRequest.clientWithReceiver.toFixed(0)} µs), floor ${r.perRequest.floor.toFixed(0)} µs (its client ${r.perRequest.clientWithFloor.toFixed(0)} µs); ` +
        `store kept ${r.kept} spans of ${r.traces} traces, all decoded afterwards in ${r.decodeMs.toFixed(0)} ms`,
    );
    out.push(
      { name: `local receiver ingest (${r.workload})`, value: `${Math.round(r.receiver).toLocaleString('en')} spans/s`, ratio: r.receiver / 50_000, target: '≥ 50,000 spans/s', met: r.receiver >= 50_000 },
      { name: `  floor: a plain Node server that only reads the same bodies`, value: `${Math.round(r.floor).toLocaleString('en')} spans/s`, ratio: r.floor / r.receiver, target: 'receiver within 2× of it', met: r.floor / r.receiver <= 2 },
    );
  }
  return out;
}
