/**
 * The local receiver's ingest rate for OTLP protobuf on loopback, next to the floor: a plain Node HTTP
 * server that only reads and discards the same bodies. The load comes from another process (another
 * core), posting SDK-sized batches over 8 keep-alive connections for a bounded time; receiver and
 * floor take turns, so machine drift hits both. Targets: ≥ 50,000 spans/s, and within 2× of the floor.
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
import { TraceStore } from '../src/shared/store/traceStore';
import { generateTrace } from './generate';

const BATCH = 512; // the OpenTelemetry SDKs' default max export batch size
const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);

async function load(url: string, bodiesFile: string): Promise<{ requests: number; failures: number; ms: number }> {
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

export async function runIngestBench(): Promise<Array<{ name: string; value: string; ratio: number; target: string; met: boolean }>> {
  // 16 different traces of BATCH spans each, so the store sees new traces, grows and evicts as in use.
  const bodies = Array.from({ length: 16 }, (_, k) => Buffer.from(encodeSpans(generateTrace(BATCH, 100 + k), 'otlp-proto').body as Uint8Array).toString('base64'));
  const file = join(mkdtempSync(join(tmpdir(), 'te-bench-')), 'bodies.json');
  writeFileSync(file, JSON.stringify(bodies));
  const store = new TraceStore(200_000);
  const receiver = new LocalReceiver(store, { otlpPort: 0, zipkinPort: null });
  const [{ port }] = await receiver.start();
  const floor = await floorServer();
  const rates = { receiver: [] as number[], floor: [] as number[] };
  let failures = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const a = await load(`http://127.0.0.1:${port}/v1/traces`, file);
    const b = await load(floor.url, file);
    failures += a.failures + b.failures;
    rates.receiver.push((a.requests * BATCH) / (a.ms / 1000));
    rates.floor.push((b.requests * BATCH) / (b.ms / 1000));
  }
  await receiver.stop();
  floor.server.close();
  const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const rx = med(rates.receiver);
  const fl = med(rates.floor);
  console.log(`ingest bench: OTLP protobuf, ${BATCH}-span batches (${(Buffer.from(bodies[0], 'base64').length / 1024).toFixed(0)} kB), 8 connections, ${ROUNDS}×${SECONDS} s each, ${failures} failed requests; store kept ${store.stats().spans} spans, evicted ${store.stats().evictedTraces} traces`);
  return [
    { name: 'local receiver ingest', value: `${Math.round(rx).toLocaleString('en')} spans/s`, ratio: rx / 50_000, target: '≥ 50,000 spans/s', met: rx >= 50_000 },
    { name: 'plain Node server that only reads the bodies (floor)', value: `${Math.round(fl).toLocaleString('en')} spans/s`, ratio: fl / rx, target: 'receiver within 2× of it', met: fl / rx <= 2 },
  ];
}
