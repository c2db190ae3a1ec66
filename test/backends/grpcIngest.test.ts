/**
 * OTLP over gRPC into the local receiver: the real OpenTelemetry Python and JS SDKs' gRPC exporters
 * (gzip), both at once with HTTP clients into the same store, and what a gRPC client gets for bad
 * input: INVALID_ARGUMENT with the reason, UNIMPLEMENTED for another method, RESOURCE_EXHAUSTED for a
 * message over the limit, and nothing stored.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { EXPORT_PATH } from '../../src/node/grpcReceiver';
import { LocalReceiver } from '../../src/node/receiver';
import { encodeSpans } from '../../src/shared/formats/encode';
import { newSpan } from '../../src/shared/model';
import { TraceStore } from '../../src/shared/store/traceStore';
import { until } from './helpers/wait';
import { linkTrace } from '../../src/shared/trace/link';

const ROOT = join(__dirname, '..', '..');
const PYTHON = join(ROOT, '.cache', 'python', 'bin', 'python');
const run = promisify(execFile);

interface GrpcAnswer {
  httpStatus: number;
  grpcStatus: number;
  message: string;
  body: Buffer;
}

/** One unary call, framed by hand: what any gRPC client puts on the wire. */
function call(port: number, path: string, message: Uint8Array, options: { gzip?: boolean; authority?: string } = {}): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    const client = connect(`http://127.0.0.1:${port}`);
    client.on('error', reject);
    const payload = options.gzip ? gzipSync(message) : Buffer.from(message);
    const prefix = Buffer.alloc(5);
    prefix[0] = options.gzip ? 1 : 0;
    prefix.writeUInt32BE(payload.length, 1);
    const req = client.request({ ':method': 'POST', ':path': path, ':authority': options.authority ?? `127.0.0.1:${port}`, 'content-type': 'application/grpc', te: 'trailers', ...(options.gzip ? { 'grpc-encoding': 'gzip' } : {}) });
    let httpStatus = 0;
    let grpcStatus = -1;
    let grpcMessage = '';
    const chunks: Buffer[] = [];
    req.on('response', (h) => {
      httpStatus = Number(h[':status']);
      if (h['grpc-status'] !== undefined) {
        grpcStatus = Number(h['grpc-status']);
        grpcMessage = decodeURIComponent(String(h['grpc-message'] ?? ''));
      }
    });
    req.on('trailers', (t) => {
      grpcStatus = Number(t['grpc-status']);
      grpcMessage = decodeURIComponent(String(t['grpc-message'] ?? ''));
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      client.close();
      resolve({ httpStatus, grpcStatus, message: grpcMessage, body: Buffer.concat(chunks) });
    });
    req.on('error', reject);
    req.end(Buffer.concat([prefix, payload]));
  });
}

function protoTrace(traceHex: string, n: number): Uint8Array {
  const spans = Array.from({ length: n }, (_, i) => ({ ...newSpan(traceHex, (i + 1).toString(16).padStart(16, '0')), name: `s${i}`, service: 'grpc-test', startUs: 1_700_000_000_000_000 + i, durationUs: 10, ...(i ? { parentId: '0000000000000001' } : {}) }));
  return encodeSpans(spans, 'otlp-proto').body as Uint8Array;
}

describe('OTLP/gRPC into the local receiver', function () {
  this.timeout(120_000);
  const store = new TraceStore();
  let receiver: LocalReceiver;
  let grpcPort: number;
  let httpPort: number;

  before(async () => {
    receiver = new LocalReceiver(store, { otlpPort: 0, zipkinPort: null, grpcPort: 0, maxBodyBytes: 256 * 1024 });
    const results = await receiver.start();
    if (results.some((r) => r.error)) throw new Error(`the receiver could not listen: ${results.map((r) => r.error).join('; ')}`);
    grpcPort = results.find((r) => r.name === 'grpc')!.port!;
    httpPort = results.find((r) => r.name === 'otlp')!.port!;
  });
  after(() => receiver.stop());

  it('the real Python SDK\u2019s gRPC exporter (gzip): foo → bar → baz with its error and exception', async () => {
    if (!existsSync(PYTHON)) throw new Error(`the Python SDK is missing at ${PYTHON}: run node scripts/setup-python.mjs`);
    const { stdout } = await run(PYTHON, [join(ROOT, 'test/sdk/python/emit.py'), '--otlp-grpc', `127.0.0.1:${grpcPort}`], { timeout: 60_000 });
    const id = /"trace_id": "0x([0-9a-f]{32})"/.exec(stdout)?.[1];
    assert.ok(id);
    const spans = await until('the Python trace', () => (store.get(id)?.length === 3 ? store.get(id) : undefined));
    const t = linkTrace(spans);
    assert.deepEqual(t.spans.map((s, r) => `${t.depth[r]}:${s.name}`), ['0:foo', '1:bar', '2:baz']);
    assert.equal(t.spans[2].status.code, 'error');
    assert.ok(t.spans[2].events.some((e) => e.name === 'exception'));
  });

  it('the real JS SDK\u2019s gRPC exporter (@grpc/grpc-js, gzip): GET /checkout → charge', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'test/sdk/js/emit.mjs'), '--otlp-grpc', `http://127.0.0.1:${grpcPort}`], { timeout: 60_000 });
    const id = stdout.trim().split('\n').pop()!;
    const spans = await until('the JS trace', () => (store.get(id)?.length === 2 ? store.get(id) : undefined));
    const t = linkTrace(spans);
    assert.deepEqual(t.spans.map((s) => s.name), ['GET /checkout', 'charge']);
    assert.equal(t.spans[1].status.code, 'error');
    assert.equal(t.spans[0].attributes.find((a) => a.key === 'big.count')?.value, 12345678901);
  });

  it('gRPC and HTTP clients sending to the same store at once lose nothing', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => (0xa000 + i).toString(16).padStart(32, '0'));
    await Promise.all(
      ids.map(async (id, i) => {
        if (i % 2) {
          const r = await call(grpcPort, EXPORT_PATH, protoTrace(id, 5), { gzip: i % 4 === 1 });
          assert.equal(r.grpcStatus, 0, r.message);
        } else {
          const res = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(protoTrace(id, 5)) });
          assert.equal(res.status, 200);
        }
      }),
    );
    for (const id of ids) assert.equal(store.get(id)?.length, 5, id);
  });

  it('answers OK with an empty ExportTraceServiceResponse', async () => {
    const r = await call(grpcPort, EXPORT_PATH, protoTrace('b'.repeat(32), 1));
    assert.deepEqual([r.httpStatus, r.grpcStatus], [200, 0]);
    assert.deepEqual([...r.body], [0, 0, 0, 0, 0]);
  });

  it('partial success: the resources that pass are kept, the others refused by count with the reason (OTLP partial_success)', async () => {
    const good = protoTrace('d'.repeat(32), 2);
    // A ResourceSpans whose one span has a 5-byte trace id, framed by hand: field 1 of the request.
    const span = Buffer.from([0x0a, 0x05, 1, 2, 3, 4, 5, 0x12, 0x08, 1, 1, 1, 1, 1, 1, 1, 1, 0x2a, 0x01, 0x78]);
    const scope = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const resource = Buffer.concat([Buffer.from([0x12, scope.length]), scope]);
    const request = Buffer.concat([Buffer.from(good), Buffer.from([0x0a, resource.length]), resource]);
    const r = await call(grpcPort, EXPORT_PATH, request);
    assert.equal(r.grpcStatus, 0, r.message);
    // ExportTraceServiceResponse { 1: partial_success { 1: rejected_spans, 2: error_message } }
    const msg = r.body.subarray(5);
    assert.equal(msg[0], 0x0a);
    const inner = msg.subarray(2, 2 + msg[1]);
    assert.deepEqual([inner[0], inner[1]], [0x08, 1], 'rejected_spans = 1');
    assert.equal(inner[2], 0x12);
    assert.match(inner.subarray(4, 4 + inner[3]).toString('utf8'), /trace/i);
    assert.equal(store.get('d'.repeat(32))?.length, 2, 'the good resource is kept');
  });

  it('bad input: INVALID_ARGUMENT with the reason, UNIMPLEMENTED for another method, RESOURCE_EXHAUSTED over the limit; nothing stored', async () => {
    const before = store.stats().spans;
    const good = protoTrace('c'.repeat(32), 3);
    const bad = await call(grpcPort, EXPORT_PATH, good.subarray(0, good.length - 7));
    assert.equal(bad.grpcStatus, 3);
    assert.match(bad.message, /offset \d+/);
    const other = await call(grpcPort, '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', good);
    assert.equal(other.grpcStatus, 12);
    assert.match(other.message, /unknown method .*MetricsService\/Export; this receiver implements opentelemetry\.proto\.collector\.trace\.v1\.TraceService\/Export/);
    const huge = await call(grpcPort, EXPORT_PATH, new Uint8Array(300 * 1024));
    assert.equal(huge.grpcStatus, 8);
    const bomb = await call(grpcPort, EXPORT_PATH, new Uint8Array(300 * 1024), { gzip: true });
    assert.equal(bomb.grpcStatus, 8, 'a small gzip that inflates past the limit');
    const rebinding = await call(grpcPort, EXPORT_PATH, good, { authority: 'evil.example' });
    assert.equal(rebinding.grpcStatus, 7);
    assert.equal(store.stats().spans, before);
  });
});
