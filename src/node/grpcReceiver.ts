/**
 * OTLP over gRPC (`opentelemetry.proto.collector.trace.v1.TraceService/Export`, port 4317 by
 * convention) on `node:http2`, with the same full protobuf check as the HTTP path: what is acknowledged
 * can never fail later. No gRPC library: a unary call is one HTTP/2 POST whose body is a 5-byte prefix
 * (compressed flag, big-endian length) and the message, answered with the same framing and
 * `grpc-status` in the trailers; the protobuf itself is checked and kept by otlpProtoScan. (Why not
 * @grpc/grpc-js: README, "Libraries, and why".)
 *
 * Status codes as gRPC defines them and OTLP uses them: INVALID_ARGUMENT (3) for bad data, with the
 * reason; UNIMPLEMENTED (12) for any other method; RESOURCE_EXHAUSTED (8) for a message over the size
 * limit; UNAVAILABLE (14) is never sent, since a retry would not help any refusal made here.
 */
import { constants, createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { TraceDecodeError } from '../shared/errors';
import { splitOtlpProtoByTrace, type EncodedTracePart } from '../shared/formats/otlpProtoScan';
import { checkRequest, type GuardOptions } from './localGuard';

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export const GrpcStatus = { OK: 0, INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

export interface GrpcReceiverOptions extends GuardOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Called with the checked parts of each acknowledged request, before the answer goes out. */
  accept(parts: EncodedTracePart[]): void;
  log?: (line: string) => void;
}

const WINDOW = 4 * 1024 * 1024;

/** An empty ExportTraceServiceResponse: no partial_success, everything was accepted. */
const OK_BODY = Buffer.from([0, 0, 0, 0, 0]);

export class GrpcReceiver {
  private server: Http2Server | undefined;

  constructor(private readonly options: GrpcReceiverOptions) {}

  async start(): Promise<number> {
    // HTTP/2's default 64 KiB flow-control window would make a 512-span batch (~140 kB) wait for window
    // updates several times per call; a window of a few batches lets it arrive in one go.
    const server = createServer({ maxSessionMemory: 64, settings: { initialWindowSize: WINDOW } });
    server.on('session', (session) => session.once('connect', () => session.setLocalWindowSize(WINDOW * 2)));
    server.on('stream', (stream, headers) => this.onStream(stream, headers));
    // A broken client connection must never take the extension host down.
    server.on('sessionError', (e) => this.options.log?.(`receiver: gRPC session: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle HTTP/2 sessions (SDKs keep them open) would hold close() up.
      setTimeout(resolve, 1000).unref();
    });
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined); // a client that resets mid-call: nothing was acknowledged
    const path = String(headers[':path'] ?? '');
    const port = (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
    const verdict = checkRequest({ host: String(headers[':authority'] ?? headers.host ?? ''), origin: headers.origin as string | undefined }, port, this.options);
    if (!verdict.ok) return this.fail(stream, GrpcStatus.PERMISSION_DENIED, verdict.message);
    if (headers[':method'] !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/grpc')) {
      return this.fail(stream, GrpcStatus.UNIMPLEMENTED, 'this port speaks OTLP/gRPC; send OTLP/HTTP to the OTLP/HTTP port (4318)', 415);
    }
    if (path !== EXPORT_PATH) return this.fail(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}; this receiver implements ${EXPORT_PATH.slice(1)}`);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    stream.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > this.options.maxMessageBytes + 5) {
        refused = true;
        this.fail(stream, GrpcStatus.RESOURCE_EXHAUSTED, `message larger than ${this.options.maxMessageBytes} bytes`);
      } else chunks.push(c);
    });
    stream.on('end', () => {
      if (!refused) this.unary(stream, Buffer.concat(chunks), String(headers['grpc-encoding'] ?? 'identity'));
    });
  }

  private unary(stream: ServerHttp2Stream, body: Buffer, encoding: string): void {
    if (body.length < 5) return this.fail(stream, GrpcStatus.INVALID_ARGUMENT, `a gRPC message needs a 5-byte prefix; got ${body.length} bytes`);
    const compressed = body[0];
    const length = body.readUInt32BE(1);
    if (length !== body.length - 5) return this.fail(stream, GrpcStatus.INVALID_ARGUMENT, `the prefix announces ${length} bytes but ${body.length - 5} came (one message per unary call)`);
    let message = body.subarray(5);
    if (compressed === 1) {
      if (encoding !== 'gzip') return this.fail(stream, GrpcStatus.UNIMPLEMENTED, `grpc-encoding "${encoding}" is not supported; use gzip or none`);
      try {
        message = gunzipSync(message, { maxOutputLength: this.options.maxMessageBytes });
      } catch (e) {
        const tooBig = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        return this.fail(stream, tooBig ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.INVALID_ARGUMENT, tooBig ? `message larger than ${this.options.maxMessageBytes} bytes once decompressed` : `bad gzip: ${(e as Error).message}`);
      }
    } else if (compressed !== 0) return this.fail(stream, GrpcStatus.INVALID_ARGUMENT, `compressed flag ${compressed}; 0 or 1 expected`);
    let parts: EncodedTracePart[];
    try {
      parts = splitOtlpProtoByTrace(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    } catch (e) {
      if (e instanceof TraceDecodeError) return this.fail(stream, GrpcStatus.INVALID_ARGUMENT, e.message);
      this.options.log?.(`receiver: gRPC Export failed: ${(e as Error).message}`);
      return this.fail(stream, GrpcStatus.INTERNAL, 'internal error');
    }
    this.options.accept(parts);
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcStatus.OK) }));
    stream.end(OK_BODY);
  }

  /** A trailers-only answer: HTTP 200 with grpc-status and the percent-encoded message (gRPC's rule). */
  private fail(stream: ServerHttp2Stream, status: number, message: string, httpStatus = 200): void {
    if (stream.destroyed || stream.headersSent) {
      stream.close(constants.NGHTTP2_CANCEL);
      return;
    }
    stream.respond({ ':status': httpStatus, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': encodeGrpcMessage(message) }, { endStream: true });
  }
}

/** gRPC's percent-encoding of grpc-message: printable ASCII but '%' as is, everything else as %XX of UTF-8. */
export function encodeGrpcMessage(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
