/**
 * A loopback server that misbehaves on purpose, and what the user reads each time: one clear error,
 * within the timeout, with the endpoint, the URL without credentials, and what to do. Nothing hangs,
 * nothing crashes, and the local store keeps everything it acknowledged.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BackendError, redactUrl } from '../../src/node/http/backendError';
import { HttpClient, proxyFromEnv } from '../../src/node/http/httpClient';
import { LocalReceiver } from '../../src/node/receiver';
import { createSource } from '../../src/node/sources/createSource';
import { TraceStore } from '../../src/shared/store/traceStore';
import { freePort } from '../peers/realPeers';
import { fixture } from '../unit/helpers';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

class Misbehaving {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  hits = 0;
  url = '';
  async start(handler: Handler): Promise<this> {
    this.server = createServer((req, res) => {
      this.hits++;
      handler(req, res);
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server?.close(r));
  }
}

async function failure(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BackendError) return e;
    throw new Error(`expected a BackendError, got ${String(e)}`);
  }
  assert.fail('expected a BackendError, but the request succeeded');
}

const fast = { backoffMs: () => 10 };

describe('HTTP faults: each gives one clear error, in time', function () {
  this.timeout(30_000);
  let peer: Misbehaving;
  afterEach(() => peer?.stop());

  const client = (opts: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient =>
    new HttpClient({ endpoint: 'My Zipkin', baseUrl: peer.url, totalTimeoutMs: 1_500, ...fast, ...opts });

  it('refused: names the host and port and asks whether the backend runs', async () => {
    const port = await freePort();
    const e = await failure(new HttpClient({ endpoint: 'My Zipkin', baseUrl: `http://127.0.0.1:${port}` }).get('/api/v2/services'));
    assert.equal(e.kind, 'refused');
    assert.equal(e.message, `My Zipkin: nothing is listening on 127.0.0.1:${port} (http://127.0.0.1:${port}/api/v2/services). Is the backend running, and is this its port?`);
  });

  it('slow headers: times out within the total timeout', async () => {
    peer = await new Misbehaving().start(() => {
      /* never answers */
    });
    const t0 = Date.now();
    const e = await failure(client().get('/api/v2/services'));
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /no complete answer within 1\.5 s/);
    assert.ok(Date.now() - t0 < 4_000, `took ${Date.now() - t0} ms`);
  });

  it('slow body: a body that stalls half-way times out too', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('["a",');
    });
    const e = await failure(client().get('/api/v2/services'));
    assert.equal(e.kind, 'timeout');
  });

  it('reset mid-body: says the connection closed early', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('[{"traceId":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const e = await failure(client().get('/api/v2/services'));
    assert.equal(e.kind, 'network');
    assert.match(e.message, /closed before the answer was complete/);
  });

  const statuses: Array<[number, RegExp]> = [
    [401, /HTTP 401: unauthorized .*Check the token or password: run "Trace Explorer: Set Endpoint Credentials…"/],
    [403, /HTTP 403: .*may not read traces/],
    [404, /HTTP 404: .*Check the endpoint URL and any path prefix/],
    [500, /HTTP 500: .*The backend failed/],
  ];
  for (const [status, expected] of statuses) {
    it(`${status}: shows the status, the body's words and what to do, without retrying`, async () => {
      peer = await new Misbehaving().start((_req, res) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 401 ? 'unauthorized (bad token)' : 'nope');
      });
      const e = await failure(client().get('/api/v2/services'));
      assert.equal(e.status, status);
      assert.match(e.message, expected);
      assert.equal(peer.hits, 1);
    });
  }

  it('429 and 503 on a read: retried with backoff, bounded, then the error', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(peer.hits === 1 ? 429 : 503, { 'retry-after': '0' });
      res.end('busy');
    });
    const e = await failure(client({ retries: 2 }).get('/api/v2/services'));
    assert.equal(peer.hits, 3, 'one try and two retries');
    assert.equal(e.status, 503);
  });

  it('503 then 200 on a read: the retry succeeds', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(peer.hits === 1 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(peer.hits === 1 ? 'busy' : '["frontend"]');
    });
    const res = await client().get('/api/v2/services');
    assert.deepEqual(res.json(), ['frontend']);
    assert.equal(peer.hits, 2);
  });

  it('503 on a POST (not idempotent): never retried', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(503);
      res.end('busy');
    });
    await failure(client().post('/api/v2/spans', { body: '[]' }));
    assert.equal(peer.hits, 1);
  });

  it('an HTML page where JSON was expected: asks whether this is the API port', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Grafana login</body></html>');
    });
    const e = await failure(createSource({ name: 'Tempo', type: 'tempo', url: peer.url }).listTraces({}));
    assert.equal(e.kind, 'bad-body');
    assert.match(e.message, /got an HTML page where JSON was expected.*Is this the API port/);
    // Trace bodies are decoded from their bytes, not through json(): the same message there.
    const byId = await failure(createSource({ name: 'Zipkin', type: 'zipkin', url: peer.url }).getTrace('0123456789abcdef'));
    assert.match(byId.message, /^Zipkin: got an HTML page where JSON was expected.*Is this the API port/);
  });

  it('truncated JSON: says the answer is not valid JSON and may have been cut off', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[[{"traceId":"0123456789abcde0","id":"1234","na');
    });
    const e = await failure(createSource({ name: 'Zipkin', type: 'zipkin', url: peer.url }).listTraces({}));
    assert.match(e.message, /the response is not valid JSON .*may have been cut off/);
  });

  it('a 300 MB body: cut off at the cap while streaming, with a clear message, memory untouched', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const pump = (): void => {
        while (sent < 300 && res.write(chunk)) sent++;
        if (sent < 300) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const before = process.memoryUsage().rss;
    const e = await failure(client({ maxResponseBytes: 16 * 1024 * 1024, totalTimeoutMs: 20_000 }).get('/api/v2/traces'));
    assert.equal(e.kind, 'too-large');
    assert.match(e.message, /larger than 16 MB and was cut off.*Narrow the query/);
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'did not buffer the body');
  });

  it('an announced Content-Length over the cap is refused before reading', async () => {
    peer = await new Misbehaving().start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * 1024 * 1024) });
      res.write('[');
    });
    const e = await failure(client({ maxResponseBytes: 1024 * 1024 }).get('/api/v2/traces'));
    assert.match(e.message, /\(300 MB announced\)/);
  });

  it('cancellation: an aborted request stops at once and says cancelled', async () => {
    peer = await new Misbehaving().start(() => {
      /* never answers */
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const e = await failure(client({ totalTimeoutMs: 10_000 }).get('/api/v2/services', { signal: ac.signal }));
    assert.equal(e.kind, 'cancelled');
    assert.ok(Date.now() - t0 < 1_000);
  });

  it('credentials in the URL go into the Authorization header and never into messages', async () => {
    let auth = '';
    peer = await new Misbehaving().start((req, res) => {
      auth = String(req.headers.authorization);
      res.writeHead(500);
      res.end('x');
    });
    const withCreds = peer.url.replace('http://', 'http://alice:s3cret@');
    const e = await failure(new HttpClient({ endpoint: 'E', baseUrl: withCreds, retries: 0 }).get('/api/search', { query: { api_key: 'k' } }));
    assert.equal(auth, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    assert.doesNotMatch(e.message, /s3cret|alice|=k\b/);
    assert.equal(redactUrl('https://u:p@h/x?token=abc&q=1'), 'https://h/x?token=***&q=1');
  });

  it('bearer tokens and tenants are sent as headers', async () => {
    const seen: Record<string, string> = {};
    peer = await new Misbehaving().start((req, res) => {
      seen.auth = String(req.headers.authorization);
      seen.org = String(req.headers['x-scope-orgid']);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"traces":[]}');
    });
    await createSource({ name: 'T', type: 'tempo', url: peer.url, auth: 'bearer', tenant: 'team-a' }, { secret: 'tok' }).listTraces({});
    assert.deepEqual(seen, { auth: 'Bearer tok', org: 'team-a' });
  });

  it('proxies from HTTPS_PROXY/HTTP_PROXY except for loopback and NO_PROXY hosts', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:8080', NO_PROXY: '.corp.example,internal' };
    assert.equal(proxyFromEnv(new URL('https://tempo.grafana.net'), env), 'http://proxy:3128');
    assert.equal(proxyFromEnv(new URL('http://zipkin.example'), env), 'http://proxy:8080');
    assert.equal(proxyFromEnv(new URL('http://127.0.0.1:9411'), env), undefined);
    assert.equal(proxyFromEnv(new URL('http://jaeger.corp.example'), env), undefined);
    assert.equal(proxyFromEnv(new URL('http://internal:16686'), env), undefined);
  });
});

describe('the local receiver under faults keeps everything it acknowledged', function () {
  this.timeout(30_000);

  function post(port: number, body: Buffer | string, opts: { abortAfter?: number; headers?: Record<string, string> } = {}): Promise<number> {
    return new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v2/spans', headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(-1));
      if (opts.abortAfter !== undefined) {
        req.write(Buffer.from(body).subarray(0, opts.abortAfter));
        setTimeout(() => req.destroy(), 50);
      } else req.end(body);
    });
  }

  it('a client reset mid-body, broken JSON and a too-large body change nothing; acknowledged spans stay', async () => {
    const store = new TraceStore();
    const receiver = new LocalReceiver(store, { otlpPort: 0, zipkinPort: null, maxBodyBytes: 64 * 1024 });
    const [{ port }] = await receiver.start();
    try {
      assert.equal(await post(port!, fixture('examples/zipkin-curl-span-1.json')), 202);
      const acknowledged = store.stats().spans;
      assert.equal(await post(port!, fixture('examples/zipkin-curl-span-2.json'), { abortAfter: 40 }), -1);
      assert.equal(await post(port!, '[{"traceId":'), 400);
      assert.equal(await post(port!, Buffer.alloc(200 * 1024, 0x20)), 413);
      assert.equal(await post(port!, Buffer.from('not gzip'), { headers: { 'content-encoding': 'gzip' } }), 400);
      assert.equal(store.stats().spans, acknowledged);
      assert.equal(store.get('0123456789abcde0')?.length, 1);
      assert.equal(await post(port!, fixture('examples/zipkin-curl-span-2.json')), 202, 'still serving');
    } finally {
      await receiver.stop();
    }
  });

  it('a port already in use is reported with what to change, not thrown', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const receiver = new LocalReceiver(new TraceStore(), { otlpPort: port, zipkinPort: null });
    try {
      const [r] = await receiver.start();
      assert.equal(r.port, undefined);
      assert.match(r.error!, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use .*traceExplorer\\.local\\.otlpPort`));
    } finally {
      await receiver.stop();
      blocker.close();
    }
  });
});
