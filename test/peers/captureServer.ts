/**
 * A loopback HTTP server that records every request body and answers like a receiver would (200 for
 * OTLP, 202 for Zipkin). Used to capture what real SDK exporters really send.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface CapturedRequest {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

export class CaptureServer {
  readonly requests: CapturedRequest[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
        const isOtlp = (req.url ?? '').startsWith('/v1/traces');
        res.statusCode = isOtlp ? 200 : 202;
        if (isOtlp && String(req.headers['content-type']).includes('json')) {
          res.setHeader('content-type', 'application/json');
          res.end('{}');
        } else if (isOtlp) {
          res.setHeader('content-type', 'application/x-protobuf');
          res.end();
        } else res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests whose URL starts with `prefix`. */
  at(prefix: string): CapturedRequest[] {
    return this.requests.filter((r) => r.url.startsWith(prefix));
  }
}
