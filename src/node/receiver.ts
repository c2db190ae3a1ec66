/**
 * The built-in local endpoint's receiver: an HTTP server on localhost that accepts what SDKs and curl
 * send — OTLP/HTTP (JSON and protobuf, gzip) on `/v1/traces`, Zipkin v2 JSON on `/api/v2/spans` and,
 * like Tempo's Zipkin receiver, on any other POST path — and answers the Zipkin v2 query API from the
 * store, so any Zipkin client (and this extension's Zipkin source) can read it. Node only, no vscode:
 * the extension and `trace-explorer serve` both run it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { TraceDecodeError } from '../shared/errors';
import { decodeTrace, looksLikeProtobuf } from '../shared/formats/detect';
import { decodeOtlpProto } from '../shared/formats/otlpProto';
import { splitOtlpProtoByTrace, type EncodedTracePart } from '../shared/formats/otlpProtoScan';
import { encodeZipkin } from '../shared/formats/zipkin';
import { normalizeTraceId } from '../shared/ids';
import type { Span } from '../shared/model';
import type { TraceStore } from '../shared/store/traceStore';

export interface ReceiverOptions {
  /** OTLP/HTTP port (4318 by convention); 0 picks a free one. */
  otlpPort: number;
  /** Zipkin port (9411 by convention); 0 picks a free one; null serves Zipkin on the OTLP port only. */
  zipkinPort: number | null;
  host?: string;
  /** Largest request body accepted (default 64 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface ListenResult {
  name: 'otlp' | 'zipkin';
  port?: number;
  error?: string;
}

export class LocalReceiver {
  private readonly servers: Server[] = [];
  received = 0;

  constructor(
    private readonly store: TraceStore,
    private readonly options: ReceiverOptions,
  ) {}

  /** Start listening. A port that cannot be bound is reported in the result, not thrown. */
  async start(): Promise<ListenResult[]> {
    const host = this.options.host ?? '127.0.0.1';
    const wanted: Array<['otlp' | 'zipkin', number]> = [['otlp', this.options.otlpPort]];
    if (this.options.zipkinPort !== null) wanted.push(['zipkin', this.options.zipkinPort]);
    const results: ListenResult[] = [];
    for (const [name, port] of wanted) {
      const server = createServer((req, res) => void this.handle(req, res));
      // Slow or stuck clients must not hold sockets forever.
      server.requestTimeout = 30_000;
      server.headersTimeout = 10_000;
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => resolve());
        });
        this.servers.push(server);
        results.push({ name, port: (server.address() as AddressInfo).port });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        results.push({
          name,
          error: code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (another collector or Zipkin?); change traceExplorer.local.${name}Port` : `cannot listen on ${host}:${port}: ${(e as Error).message}`,
        });
      }
    }
    return results;
  }

  /** Stop listening and drop open connections at once: keep-alive clients must not hold shutdown up. */
  async stop(): Promise<void> {
    const closing = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const s of this.servers) s.closeAllConnections();
    this.servers.length = 0;
    await Promise.all(closing);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'GET' || req.method === 'HEAD') return this.query(url, res);
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'only GET and POST are supported\n');
      const body = await readBody(req, this.options.maxBodyBytes ?? 64 * 1024 * 1024);
      if (url.pathname === '/v1/traces') return this.ingestOtlp(req, body, res);
      if (url.pathname.includes('api/v1/spans')) return send(res, 400, 'text/plain', 'Zipkin v1 spans are not supported; send Zipkin v2 JSON to /api/v2/spans\n');
      return this.ingestZipkin(body, res);
    } catch (e) {
      if (e instanceof HttpError) return send(res, e.status, 'text/plain', e.message + '\n');
      this.options.log?.(`receiver: ${req.method} ${url.pathname} failed: ${(e as Error).message}`);
      return send(res, 500, 'text/plain', 'internal error\n');
    }
  }

  private ingestOtlp(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const type = String(req.headers['content-type'] ?? '');
    const isProto = type.includes('protobuf');
    const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    let encoded: EncodedTracePart[] | undefined;
    let spans: Span[] | undefined;
    try {
      // Protobuf — what SDKs send — is checked in full and kept encoded until a view reads the trace
      // (otlpProtoScan.ts says why); JSON is decoded now.
      if (looksLikeProtobuf(bytes)) encoded = splitOtlpProtoByTrace(bytes);
      else spans = decodeTrace(bytes).spans;
    } catch (e) {
      if (!(e instanceof TraceDecodeError)) throw e;
      // OTLP: 400 = bad data, do not retry.
      return send(res, 400, isProto ? 'text/plain' : 'application/json', isProto ? e.message + '\n' : JSON.stringify({ code: 3, message: e.message }));
    }
    if (encoded) {
      this.store.addEncoded(encoded.map((part) => ({ traceId: part.traceId, spanCount: part.spanCount, decode: () => decodeOtlpProto(part.bytes) })));
      for (const part of encoded) this.received += part.spanCount;
    } else if (spans) {
      this.store.add(spans);
      this.received += spans.length;
    }
    if (isProto) return send(res, 200, 'application/x-protobuf', Buffer.alloc(0)); // empty ExportTraceServiceResponse
    return send(res, 200, 'application/json', '{}');
  }

  private ingestZipkin(body: Buffer, res: ServerResponse): void {
    if (body.length === 0) return send(res, 202, 'text/plain', '');
    let spans;
    try {
      spans = decodeTrace(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)).spans;
    } catch (e) {
      return send(res, 400, 'text/plain', `${e instanceof TraceDecodeError ? e.message : String(e)}\n`);
    }
    this.store.add(spans);
    this.received += spans.length;
    send(res, 202, 'text/plain', '');
  }

  /** The Zipkin v2 query API over the store (units as Zipkin's: µs durations, ms endTs/lookback). */
  private query(url: URL, res: ServerResponse): void {
    const p = url.pathname.replace(/\/+$/, '');
    const q = url.searchParams;
    if (p === '/health' || p === '' || p === '/api/v2') return send(res, 200, 'application/json', JSON.stringify({ status: 'UP', zipkin: { status: 'UP' } }));
    if (p === '/api/v2/services') return json(res, this.store.services());
    if (p === '/api/v2/spans') {
      const service = q.get('serviceName');
      if (!service) return send(res, 400, 'text/plain', 'serviceName is required\n');
      return json(res, this.store.spanNames(service));
    }
    if (p === '/api/v2/traces') {
      const endTs = Number(q.get('endTs') ?? Date.now());
      const lookback = Number(q.get('lookback') ?? 86_400_000);
      const rows = this.store.list({
        service: q.get('serviceName') ?? undefined,
        spanName: q.get('spanName') ?? undefined,
        minDurationUs: q.has('minDuration') ? Number(q.get('minDuration')) : undefined,
        maxDurationUs: q.has('maxDuration') ? Number(q.get('maxDuration')) : undefined,
        sinceUs: q.has('lookback') || q.has('endTs') ? (endTs - lookback) * 1000 : undefined,
        limit: Number(q.get('limit') ?? 10),
      });
      return json(res, rows.map((r) => encodeZipkin(this.store.get(r.traceId) ?? [])));
    }
    const m = /^\/api\/v2\/trace\/([^/]+)$/.exec(p);
    if (m) {
      const id = normalizeTraceId(m[1]);
      if (!id) return send(res, 400, 'text/plain', `${m[1]} should be a 1-32 character hex string\n`);
      const spans = this.store.get(id);
      if (!spans) return send(res, 404, 'text/plain', `${m[1]} not found\n`);
      return json(res, encodeZipkin(spans));
    }
    send(res, 404, 'text/plain', `no route for GET ${p}; this is Trace Explorer's local receiver (OTLP: POST /v1/traces, Zipkin: POST /api/v2/spans, GET /api/v2/...)\n`);
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gz = String(req.headers['content-encoding'] ?? '').includes('gzip');
    const stream = gz ? req.pipe(createGunzip()) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        stream.removeAllListeners('data');
        reject(new HttpError(413, `request body larger than ${max} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', (e) => reject(new HttpError(400, gz ? `bad gzip body: ${e.message}` : e.message)));
  });
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  // An empty body is no body: headers go out in one write instead of a gathered write with an empty part.
  if (body.length === 0) res.end();
  else res.end(body);
}

function json(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(value));
}
