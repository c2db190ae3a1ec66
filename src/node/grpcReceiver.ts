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
    const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
    let parts: EncodedTracePart[];
    let partial: { rejectedSpans: number; message: string } | undefined;
    try {
      parts = splitOtlpProtoByTrace(bytes);
    } catch (e) {
      if (!(e instanceof TraceDecodeError)) {
        this.options.log?.(`receiver: gRPC Export failed: ${(e as Error).message}`);
        return this.fail(stream, GrpcStatus.INTERNAL, 'internal error');
      }
      // OTLP's partial success: keep the resources that pass the check, refuse the others by count.
      const split = acceptPerResource(bytes);
      if (!split || !split.parts.length) return this.fail(stream, GrpcStatus.INVALID_ARGUMENT, e.message);
      parts = split.parts;
      partial = { rejectedSpans: split.rejectedSpans, message: split.message };
    }
    this.options.accept(parts);
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcStatus.OK) }));
    stream.end(partial ? partialSuccessBody(partial.rejectedSpans, partial.message) : OK_BODY);
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

// --- partial success -----------------------------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Read a varint at `o`; undefined when it runs past the end. */
function readVarint(b: Uint8Array, o: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let i = o; i < b.length && i < o + 10; i++) {
    value += (b[i] & 0x7f) * mul;
    mul *= 128;
    if ((b[i] & 0x80) === 0) return { value, next: i + 1 };
  }
  return undefined;
}

/** The length-delimited fields `field` of a message, or undefined when its framing is broken. */
function fieldsOf(b: Uint8Array, field: number): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < b.length) {
    const tag = readVarint(b, o);
    if (!tag) return undefined;
    o = tag.next;
    const wire = tag.value & 7;
    if (wire === 0) {
      const v = readVarint(b, o);
      if (!v) return undefined;
      o = v.next;
    } else if (wire === 1) o += 8;
    else if (wire === 5) o += 4;
    else if (wire === 2) {
      const len = readVarint(b, o);
      if (!len || len.next + len.value > b.length) return undefined;
      if (tag.value >>> 3 === field) out.push(b.subarray(len.next, len.next + len.value));
      o = len.next + len.value;
    } else return undefined;
  }
  return o === b.length ? out : undefined;
}

/** Spans in a ResourceSpans (scope_spans = 2, spans = 2), as well as a damaged one lets them be counted; at least 1. */
function countSpans(resourceSpans: Uint8Array): number {
  let n = 0;
  for (const scope of fieldsOf(resourceSpans, 2) ?? []) n += fieldsOf(scope, 2)?.length ?? 1;
  return Math.max(1, n);
}

/**
 * A request whose check failed, checked again one ResourceSpans at a time: the parts that pass, how many
 * spans the others held, and the first reason. Undefined when the request's own framing is broken.
 */
export function acceptPerResource(request: Uint8Array): { parts: EncodedTracePart[]; rejectedSpans: number; message: string } | undefined {
  const resources = fieldsOf(request, 1);
  if (!resources || resources.length < 2) return undefined;
  const parts: EncodedTracePart[] = [];
  let rejectedSpans = 0;
  let message = '';
  for (const r of resources) {
    const head = Buffer.from([0x0a, ...varint(r.length)]);
    const alone = new Uint8Array(Buffer.concat([head, r]));
    try {
      parts.push(...splitOtlpProtoByTrace(alone));
    } catch (e) {
      rejectedSpans += countSpans(r);
      message ||= e instanceof Error ? e.message : String(e);
    }
  }
  return { parts, rejectedSpans, message };
}

/** ExportTraceServiceResponse { partial_success: { rejected_spans, error_message } }, gRPC-framed. */
function partialSuccessBody(rejectedSpans: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const inner = Buffer.from([0x08, ...varint(rejectedSpans), 0x12, ...varint(text.length), ...text]);
  const msg = Buffer.from([0x0a, ...varint(inner.length), ...inner]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(msg.length, 1);
  return Buffer.concat([prefix, msg]);
}
