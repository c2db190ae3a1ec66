/**
 * OTLP/gRPC ingest next to the OTLP/HTTP path, in one run, on the same bodies (512-span batches of one
 * trace each) from a load generator in another process: the local receiver's gRPC port (node:http2 and
 * the shared protobuf check), its HTTP port, and the alternative not taken: @grpc/grpc-js serving the
 * same method with the same check. Also what each would add to the extension's bundle, and the store's
 * write cost per span.
 */
import * as grpc from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { EXPORT_PATH } from '../src/node/grpcReceiver';
import { LocalReceiver } from '../src/node/receiver';
import { encodeSpans } from '../src/shared/formats/encode';
import { decodeOtlpProto } from '../src/shared/formats/otlpProto';
import { splitOtlpProtoByTrace } from '../src/shared/formats/otlpProtoScan';
import { TraceStore } from '../src/shared/store/traceStore';
import { generateTrace } from './generate';

const BATCH = 512;
const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
const BENCH_DIR = join(__dirname, '..', '..', 'bench');

interface Load {
  requests: number;
  failures: number;
  ms: number;
  cpuMs: number;
}

async function load(script: string, target: string, file: string): Promise<Load> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(BENCH_DIR, script), target, String(SECONDS), file], { timeout: (SECONDS + 30) * 1000 });
  return JSON.parse(stdout) as Load;
}

/** The alternative: @grpc/grpc-js serving TraceService/Export with the same check and store. */
async function grpcJsServer(store: TraceStore): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new grpc.Server();
  const identity = (b: Buffer): Buffer => b;
  const definition = { Export: { path: EXPORT_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity, originalName: 'Export' } };
  server.addService(definition as unknown as grpc.ServiceDefinition, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      try {
        const parts = splitOtlpProtoByTrace(new Uint8Array(call.request.buffer, call.request.byteOffset, call.request.byteLength));
        store.addEncoded(parts.map((p) => ({ traceId: p.traceId, spanCount: p.spanCount, decode: () => decodeOtlpProto(p.bytes) })));
        done(null, Buffer.alloc(0));
      } catch (e) {
        done({ code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
      }
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { port, stop: () => new Promise((r) => server.tryShutdown(() => r())) };
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

export interface GrpcBenchRow {
  name: string;
  spansPerSecond: number;
  serverCpuPerRequestUs: number;
  failures: number;
}

export async function runGrpcIngestBench(): Promise<{ rows: GrpcBenchRow[]; bundleKb: { ours: number; grpcJs: number }; storeWriteNsPerSpan: number }> {
  const bodies = Array.from({ length: 16 }, (_, k) => encodeSpans(generateTrace(BATCH, 300 + k), 'otlp-proto').body as Uint8Array);
  const file = join(mkdtempSync(join(tmpdir(), 'te-grpc-bench-')), 'bodies.json');
  writeFileSync(file, JSON.stringify(bodies.map((b) => Buffer.from(b).toString('base64'))));
  const store = new TraceStore(200_000);
  const receiver = new LocalReceiver(store, { otlpPort: 0, zipkinPort: null, grpcPort: 0 });
  const results = await receiver.start();
  const httpPort = results.find((r) => r.name === 'otlp')!.port!;
  const grpcPort = results.find((r) => r.name === 'grpc')!.port!;
  const alt = await grpcJsServer(new TraceStore(200_000));
  const samples: Record<string, { rate: number[]; cpu: number[]; failures: number }> = {};
  const runs: Array<[string, string, string]> = [
    ['OTLP/gRPC, node:http2 (the receiver)', 'grpcLoad.mjs', `127.0.0.1:${grpcPort}`],
    ['OTLP/HTTP protobuf (the receiver)', 'ingestLoad.mjs', `http://127.0.0.1:${httpPort}/v1/traces`],
    ['OTLP/gRPC, @grpc/grpc-js (not taken)', 'grpcLoad.mjs', `127.0.0.1:${alt.port}`],
  ];
  try {
    // Take turns, so drift of this 2-core machine hits each the same.
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, script, target] of runs) {
        let c = process.cpuUsage();
        const l = await load(script, target, file);
        c = process.cpuUsage(c);
        const s = (samples[name] ??= { rate: [], cpu: [], failures: 0 });
        s.rate.push((l.requests * BATCH) / (l.ms / 1000));
        s.cpu.push((c.user + c.system) / Math.max(1, l.requests));
        s.failures += l.failures;
      }
    }
  } finally {
    await receiver.stop();
    await alt.stop();
  }
  const rows = runs.map(([name]) => ({ name, spansPerSecond: median(samples[name].rate), serverCpuPerRequestUs: median(samples[name].cpu), failures: samples[name].failures }));

  const size = async (contents: string): Promise<number> => {
    const out = await build({ stdin: { contents, resolveDir: join(__dirname, '..', '..'), loader: 'ts' }, bundle: true, minify: true, write: false, platform: 'node', logLevel: 'silent' });
    return out.outputFiles[0].contents.length / 1024;
  };
  const bundleKb = { ours: await size(`export { GrpcReceiver } from './src/node/grpcReceiver';`), grpcJs: await size(`export { Server, ServerCredentials } from '@grpc/grpc-js';`) };

  // The store's write cost: addEncoded of the checked parts, per span.
  const writeStore = new TraceStore(10_000_000);
  const parts = bodies.flatMap((b) => splitOtlpProtoByTrace(b));
  const t = performance.now();
  let spans = 0;
  for (let k = 0; k < 200; k++) {
    writeStore.addEncoded(parts.map((p, i) => ({ traceId: `${k.toString(16).padStart(4, '0')}${i.toString(16).padStart(4, '0')}${p.traceId.slice(8)}`, spanCount: p.spanCount, decode: () => decodeOtlpProto(p.bytes) })));
    spans += parts.reduce((n, p) => n + p.spanCount, 0);
  }
  const storeWriteNsPerSpan = ((performance.now() - t) * 1e6) / spans;
  return { rows, bundleKb, storeWriteNsPerSpan };
}
