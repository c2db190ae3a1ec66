/**
 * The local receiver holds traces (tokens, SQL, personal data) and serves a query API, so a web page in
 * the user's browser must not read or write it: DNS rebinding (a foreign Host header) and foreign
 * origins are refused before anything is read or stored. A browser SDK on an allowed origin still
 * exports to it, in real headless Chromium.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { LocalReceiver } from '../../src/node/receiver';
import { TraceStore } from '../../src/shared/store/traceStore';

const ROOT = join(__dirname, '..', '..');
const SPAN = JSON.stringify([{ traceId: '00000000000000000000000000c0ffee', id: '0000000000000001', name: 'x', timestamp: 1_700_000_000_000_000, duration: 5, localEndpoint: { serviceName: 'sec' } }]);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so Host and Origin can be anything (fetch will not send another Host). */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local receiver refuses DNS rebinding and foreign origins', function () {
  this.timeout(60_000);
  const store = new TraceStore();
  let receiver: LocalReceiver;
  let port: number;

  before(async () => {
    receiver = new LocalReceiver(store, { otlpPort: 0, zipkinPort: null, allowedHosts: ['devbox.internal'] });
    port = (await receiver.start())[0].port!;
  });
  after(() => receiver.stop());
  afterEach(() => store.clear());

  it('answers only a Host that names the loopback (or an allowed name) on its own port: 403 for a rebinding page', async () => {
    const evil = await raw(port, 'GET', '/api/v2/services', { host: `evil.example:${port}` });
    assert.equal(evil.status, 403);
    assert.match(evil.body, /Host "evil\.example:\d+" is not answered: .*DNS rebinding.*traceExplorer\.local\.allowedHosts/);
    assert.equal((await raw(port, 'POST', '/api/v2/spans', { host: 'evil.example' }, SPAN)).status, 403);
    assert.equal(store.stats().spans, 0, 'nothing stored');
    assert.equal((await raw(port, 'GET', '/api/v2/services', { host: `127.0.0.1:${port + 1}` })).status, 403, 'another port');
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost', `devbox.internal:${port}`]) {
      assert.equal((await raw(port, 'GET', '/api/v2/services', { host })).status, 200, host);
    }
  });

  it('refuses a POST from a foreign origin before storing anything, and gives it no CORS headers', async () => {
    const post = await raw(port, 'POST', '/api/v2/spans', { host: `localhost:${port}`, origin: 'https://evil.example' }, SPAN);
    assert.equal(post.status, 403);
    assert.match(post.body, /Origin "https:\/\/evil\.example" may not send or read traces here/);
    assert.equal(post.headers['access-control-allow-origin'], undefined);
    assert.equal(store.stats().spans, 0);
    const preflight = await raw(port, 'OPTIONS', '/v1/traces', { host: `localhost:${port}`, origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('answers a preflight from an allowed origin (http://localhost:* by default) and stores its POST', async () => {
    const origin = 'http://localhost:5173';
    const preflight = await raw(port, 'OPTIONS', '/v1/traces', { host: `127.0.0.1:${port}`, origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-web-sdk' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], origin);
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type,x-web-sdk');
    const post = await raw(port, 'POST', '/api/v2/spans', { host: `127.0.0.1:${port}`, origin }, SPAN);
    assert.equal(post.status, 202);
    assert.equal(post.headers['access-control-allow-origin'], origin);
    assert.equal(store.stats().spans, 1);
  });

  describe('OpenTelemetry\u2019s browser exporter in headless Chromium', () => {
    let browser: Browser;
    let page: Server;
    let pagePort: number;
    before(async () => {
      const bundle = await build({ entryPoints: [join(ROOT, 'test/sdk/js/web-export.ts')], bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent' });
      const js = bundle.outputFiles[0].text;
      page = createServer((req, res) => {
        const script = req.url?.startsWith('/app.js');
        res.setHeader('content-type', script ? 'text/javascript' : 'text/html');
        res.end(script ? js : '<!doctype html><title>loading</title><script src="/app.js"></script>');
      });
      await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
      pagePort = (page.address() as AddressInfo).port;
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        // foreign.test is a page on another origin that reaches this machine, as a rebinding page would.
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP foreign.test 127.0.0.1'],
      });
    });
    after(async () => {
      await browser?.close();
      await new Promise((r) => page?.close(r));
    });

    async function exportFrom(origin: string): Promise<string> {
      const p = await browser.newPage();
      try {
        await p.goto(`${origin}/?to=${encodeURIComponent(`http://127.0.0.1:${port}/v1/traces`)}`);
        await p.waitForFunction(() => /^(exported|failed)/.test(document.title), undefined, { timeout: 20_000 });
        return await p.title();
      } finally {
        await p.close();
      }
    }

    it('a page on http://127.0.0.1 exports its trace (CORS preflight and POST answered)', async () => {
      const title = await exportFrom(`http://127.0.0.1:${pagePort}`);
      assert.match(title, /^exported [0-9a-f]{32} 200$/);
      const id = title.split(' ')[1];
      assert.deepEqual(store.get(id)?.map((s) => s.name).sort(), ['fetch-cart', 'page-load']);
      assert.equal(store.get(id)?.[0].service, 'web-shop');
      assert.equal(store.get('000000000000000000000000feedbeef')?.length, 1, 'its simple no-cors POST too');
    });

    it('the same page on a foreign origin can neither store a span nor read one', async () => {
      const title = await exportFrom(`http://foreign.test:${pagePort}`);
      assert.match(title, /^failed /);
      // The browser sends the simple POST whatever the server says; only the receiver's refusal keeps it out.
      assert.equal(store.stats().spans, 0, 'nothing stored, not even the simple POST');
    });
  });
});
