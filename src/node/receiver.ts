/**
 * The built-in local endpoint's receiver: an HTTP server on localhost that accepts what SDKs and curl
 * send — OTLP/HTTP (JSON and protobuf, gzip) on `/v1/traces`, Zipkin v2 JSON on `/api/v2/spans` and,
 * like Tempo's Zipkin receiver, on any other POST path, Jaeger Thrift as the Jaeger agent (UDP, compact
 * and binary) and collector (HTTP `POST /api/traces`) take it — and answers the Zipkin v2 query API from
 * the store, so any Zipkin client (and this extension's Zipkin source) can read it. Node only, no vscode:
 * the extension and `trace-explorer serve` both run it.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { TraceDecodeError } from '../shared/errors';
import { decodeTrace, looksLikeProtobuf } from '../shared/formats/detect';
import { decodeJaegerThrift, sniffJaegerThrift } from '../shared/formats/jaegerThrift';
import { decodeOtlpProto } from '../shared/formats/otlpProto';
import { splitOtlpProtoByTrace, type EncodedTracePart } from '../shared/formats/otlpProtoScan';
import { encodeZipkin } from '../shared/formats/zipkin';
import { normalizeTraceId } from '../shared/ids';
import type { Span } from '../shared/model';
import type { TraceStore } from '../shared/store/traceStore';
import { GrpcReceiver } from './grpcReceiver';
import { handleOwnerRequest, OWNER_PREFIX, OWNER_PROTOCOL, type OwnerContext } from './ownerApi';
import { checkRequest, preflightHeaders, type GuardOptions } from './localGuard';

export interface ReceiverOptions extends GuardOptions {
  /** OTLP/HTTP port (4318 by convention); 0 picks a free one. */
  otlpPort: number;
  /** Zipkin port (9411 by convention); 0 picks a free one; null serves Zipkin on the OTLP port only. */
  zipkinPort: number | null;
  /**
   * Jaeger: the agent's UDP ports for Thrift compact (6831 by convention) and binary (6832), and the
   * collector's HTTP port (14268). null or absent = off; 0 picks a free port.
   */
  jaegerCompactPort?: number | null;
  jaegerBinaryPort?: number | null;
  jaegerHttpPort?: number | null;
  /** OTLP/gRPC (4317 by convention). null or absent = off; 0 picks a free port. */
  grpcPort?: number | null;
  host?: string;
  /** Who this receiver is, for other windows (`/api/trace-explorer/identify`). */
  identity?: { instance: string; version: string };
  /** Clear the store and its copy on disk, for a Clear from another window. */
  clearStore?: () => void;
  /** Largest request body accepted (default 64 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export type ListenerName = 'otlp' | 'grpc' | 'zipkin' | 'jaeger-compact' | 'jaeger-binary' | 'jaeger-http';

/** The setting that names each listener's port, for messages. */
export const PORT_SETTINGS: Record<ListenerName, string> = {
  otlp: 'traceExplorer.local.otlpPort',
  grpc: 'traceExplorer.local.grpcPort',
  zipkin: 'traceExplorer.local.zipkinPort',
  'jaeger-compact': 'traceExplorer.local.jaegerCompactPort',
  'jaeger-binary': 'traceExplorer.local.jaegerBinaryPort',
  'jaeger-http': 'traceExplorer.local.jaegerHttpPort',
};

export interface ListenResult {
  name: ListenerName;
  port?: number;
  error?: string;
}

/** UDP has no answer to give a sender, so what happened to its datagrams is counted here. */
export interface UdpStats {
  datagrams: number;
  spans: number;
  refused: number;
  lastRefusal?: string;
}

/** Distinct senders whose refusals are logged; past this, refusals are only counted. */
const MAX_LOGGED_SOURCES = 256;

export class LocalReceiver {
  private readonly servers: Server[] = [];
  private readonly sockets: Socket[] = [];
  private grpc: GrpcReceiver | undefined;
  private readonly loggedSources = new Set<string>();
  received = 0;
  readonly udp: UdpStats = { datagrams: 0, spans: 0, refused: 0 };
  /** Ports bound by the last start, by listener. */
  readonly ports: Partial<Record<ListenerName, number>> = {};
  private writes = 0;
  private readonly owner: OwnerContext;

  constructor(
    private readonly store: TraceStore,
    private readonly options: ReceiverOptions,
  ) {
    store.onDidAdd(() => this.writes++);
    this.owner = {
      store,
      identity: () => ({
        product: 'trace-explorer',
        protocol: OWNER_PROTOCOL,
        instance: options.identity?.instance ?? 'unnamed',
        version: options.identity?.version ?? '0',
        pid: process.pid,
        ports: Object.fromEntries(Object.entries(this.ports).filter(([, v]) => v !== undefined)) as Record<string, number>,
        writes: this.writes,
      }),
      clear: () => {
        if (options.clearStore) options.clearStore();
        else store.clear();
        this.writes++;
      },
    };
  }

  /** Start listening. A port that cannot be bound is reported in the result, not thrown. */
  async start(): Promise<ListenResult[]> {
    const host = this.options.host ?? '127.0.0.1';
    const wanted: Array<[ListenerName, number]> = [['otlp', this.options.otlpPort]];
    if (this.options.zipkinPort !== null) wanted.push(['zipkin', this.options.zipkinPort]);
    const jaegerHttp = this.options.jaegerHttpPort;
    if (jaegerHttp !== null && jaegerHttp !== undefined) wanted.push(['jaeger-http', jaegerHttp]);
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
        results.push({ name, error: listenError(e, name, host, port) });
      }
    }
    const grpcPort = this.options.grpcPort;
    if (grpcPort !== null && grpcPort !== undefined) results.push(await this.listenGrpc(host, grpcPort));
    for (const [name, port] of [['jaeger-compact', this.options.jaegerCompactPort], ['jaeger-binary', this.options.jaegerBinaryPort]] as const) {
      if (port !== null && port !== undefined) results.push(await this.listenUdp(name, host, port));
    }
    for (const r of results) if (r.port) this.ports[r.name] = r.port;
    return results;
  }

  private async listenGrpc(host: string, port: number): Promise<ListenResult> {
    const grpc = new GrpcReceiver({
      host,
      port,
      maxMessageBytes: this.options.maxBodyBytes ?? 64 * 1024 * 1024,
      allowedHosts: this.options.allowedHosts,
      corsOrigins: this.options.corsOrigins,
      accept: (parts) => this.keepEncoded(parts),
      log: this.options.log,
    });
    try {
      const bound = await grpc.start();
      this.grpc = grpc;
      return { name: 'grpc', port: bound };
    } catch (e) {
      return { name: 'grpc', error: listenError(e, 'grpc', host, port) };
    }
  }

  /** Checked OTLP protobuf, kept encoded per trace until a view reads it (otlpProtoScan.ts says why). */
  private keepEncoded(parts: EncodedTracePart[]): void {
    this.store.addEncoded(parts.map((part) => ({ traceId: part.traceId, spanCount: part.spanCount, bytes: part.bytes, decode: () => decodeOtlpProto(part.bytes) })));
    for (const part of parts) this.received += part.spanCount;
  }

  private async listenUdp(name: ListenerName, host: string, port: number): Promise<ListenResult> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      return { name, error: listenError(e, name, host, port) };
    }
    // A socket error after binding (rare on UDP) is logged; it must never take the extension host down.
    socket.on('error', (e) => this.options.log?.(`receiver: ${name} socket: ${e.message}`));
    socket.on('message', (msg, from) => this.onDatagram(name, msg, from));
    this.sockets.push(socket);
    return { name, port: socket.address().port };
  }

  /**
   * One Jaeger agent datagram: an Agent.emitBatch message. Either protocol is accepted on either port
   * (the bytes say which). A bad one is counted, logged once per sender, and nothing of it is stored.
   */
  private onDatagram(name: ListenerName, msg: Buffer, from: RemoteInfo): void {
    this.udp.datagrams++;
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    try {
      const { spans } = decodeJaegerThrift(bytes);
      this.store.add(spans);
      this.udp.spans += spans.length;
      this.received += spans.length;
    } catch (e) {
      this.udp.refused++;
      const reason = e instanceof TraceDecodeError ? e.message : String(e);
      this.udp.lastRefusal = reason;
      const source = `${from.address}:${from.port}`;
      if (!this.loggedSources.has(source) && this.loggedSources.size < MAX_LOGGED_SOURCES) {
        this.loggedSources.add(source);
        this.options.log?.(`receiver: refused a ${msg.length}-byte datagram on the ${name} port from ${source}: ${reason} (later ones from there are counted, not logged)`);
      }
    }
  }

  /** Stop listening and drop open connections at once: keep-alive clients must not hold shutdown up. */
  async stop(): Promise<void> {
    for (const k of Object.keys(this.ports) as ListenerName[]) delete this.ports[k];
    const closing = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const s of this.servers) s.closeAllConnections();
    this.servers.length = 0;
    const sockets = this.sockets.map((s) => new Promise<void>((r) => s.close(() => r())));
    this.sockets.length = 0;
    const grpc = this.grpc?.stop();
    this.grpc = undefined;
    await Promise.all([...closing, ...sockets, grpc]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // DNS rebinding and foreign origins are refused before anything is read or stored (localGuard.ts).
    const verdict = checkRequest({ host: req.headers.host, origin: req.headers.origin }, req.socket.localPort ?? 0, this.options);
    if (!verdict.ok) {
      req.resume();
      return send(res, verdict.status, 'text/plain', verdict.message + '\n');
    }
    for (const [k, v] of Object.entries(verdict.corsHeaders)) res.setHeader(k, v);
    try {
      if (req.method === 'OPTIONS' && req.headers.origin) {
        for (const [k, v] of Object.entries(preflightHeaders(req.headers.origin, req.headers['access-control-request-headers']))) res.setHeader(k, v);
        return send(res, 204, 'text/plain', '');
      }
      if (url.pathname.startsWith(OWNER_PREFIX)) {
        const body = req.method === 'POST' ? await readBody(req, this.options.maxBodyBytes ?? 64 * 1024 * 1024) : undefined;
        return handleOwnerRequest(this.owner, req, url, body, res);
      }
      if (req.method === 'GET' || req.method === 'HEAD') return this.query(url, res);
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'only GET and POST are supported\n');
      const body = await readBody(req, this.options.maxBodyBytes ?? 64 * 1024 * 1024);
      if (isThrift(req) || (url.pathname === '/api/traces' && sniffJaegerThrift(body))) return this.ingestJaegerHttp(body, res);
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
    if (encoded) this.keepEncoded(encoded);
    else if (spans) {
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

  /** The Jaeger collector's `POST /api/traces`: one Thrift `Batch`; 202 when stored, 400 with the reason. */
  private ingestJaegerHttp(body: Buffer, res: ServerResponse): void {
    const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    let spans: Span[];
    try {
      spans = decodeJaegerThrift(bytes, sniffJaegerThrift(bytes) ?? { protocol: 'binary', message: false }).spans;
    } catch (e) {
      return send(res, 400, 'text/plain', `Unable to process request body: ${e instanceof TraceDecodeError ? e.message : String(e)}\n`);
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

function listenError(e: unknown, name: ListenerName, host: string, port: number): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE'
    ? `port ${port} on ${host} is already in use (another collector, Jaeger or Zipkin?); change ${PORT_SETTINGS[name]}`
    : `cannot listen on ${host}:${port}: ${(e as Error).message}`;
}

/** The content types the Jaeger collector takes Thrift under. */
function isThrift(req: IncomingMessage): boolean {
  const type = String(req.headers['content-type'] ?? '');
  return type.includes('application/x-thrift') || type.includes('application/vnd.apache.thrift');
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
