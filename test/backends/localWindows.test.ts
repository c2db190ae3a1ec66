/**
 * One local store for every window, at the level of the extension hosts' shared code: two coordinators
 * on the same ports stand for two VS Code windows. The second finds the first and uses its store; when
 * the first goes (closed, or its process killed), the second takes the ports over within 2 seconds with
 * everything stored; a foreign program on the port is named; windows of different versions agree.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TraceTools } from '../../src/node/agent/traceTools';
import { ToolError } from '../../src/node/agent/toolError';
import { LocalCoordinator } from '../../src/node/localCoordinator';
import { LocalSource } from '../../src/node/sources/localSource';
import { newSpan, type Span } from '../../src/shared/model';
import { TraceStore } from '../../src/shared/store/traceStore';
import { until } from './helpers/wait';
import { freePort } from '../peers/realPeers';

const ROOT = join(__dirname, '..', '..');

function zipkin(traceId: string, name: string): string {
  return JSON.stringify([{ traceId, id: '0000000000000001', name, timestamp: Date.now() * 1000, duration: 10, localEndpoint: { serviceName: 'win-test' } }]);
}

async function post(port: number, body: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status;
}

interface Window {
  store: TraceStore;
  local: LocalSource;
  coordinator: LocalCoordinator;
}

function window(otlpPort: number, dir: string): Window {
  const store = new TraceStore();
  const local = new LocalSource(store);
  const coordinator = new LocalCoordinator(store, local, { receiver: { otlpPort, zipkinPort: null, identity: { instance: `window-${Math.random().toString(16).slice(2, 8)}`, version: 'test' } }, persistence: { dir }, pollMs: 200 });
  return { store, local, coordinator };
}

describe('one local store for every window', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'te-windows-'));
    dirs.push(d);
    return d;
  };
  const windows: Window[] = [];
  afterEach(async () => {
    for (const w of windows.splice(0)) await w.coordinator.stop();
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  /** Two windows on one port and store directory, the first started first (the owner). */
  const twoWindows = async (): Promise<{ port: number; a: Window; b: Window; resultsB: Awaited<ReturnType<LocalCoordinator['start']>> }> => {
    const port = await freePort();
    const dir = tmp();
    const a = window(port, dir);
    const b = window(port, dir);
    windows.push(a, b);
    await a.coordinator.start();
    const resultsB = await b.coordinator.start();
    return { port, a, b, resultsB };
  };

  it('the second window uses the first one\u2019s store: sees traces sent after both started, sends to it, is told of new writes', async () => {
    const { port, a, b, resultsB } = await twoWindows();
    assert.equal(a.coordinator.role.kind, 'owner');
    assert.equal(b.coordinator.role.kind, 'client');
    assert.match(String(resultsB.find((r) => r.name === 'otlp')?.error), /^shared: served by the window that owns the local receiver/);
    assert.match(b.local.describe(), /owned by another window at http:\/\/127\.0\.0\.1:\d+/);
    let told = 0;
    b.coordinator.onDidChange((what) => what === 'writes' && told++);
    assert.equal(await post(port, zipkin('00000000000000000000000000000a01', 'after both started')), 202);
    const rows = await until('the trace in the second window', async () => ((await b.local.listTraces({})).length ? b.local.listTraces({}) : undefined));
    assert.deepEqual(rows.map((r) => r.rootName), ['after both started']);
    assert.equal((await b.local.getTrace('00000000000000000000000000000a01'))?.[0].name, 'after both started');
    await until('a writes change', () => (told > 0 ? true : undefined));
    const sent: Span[] = [{ ...newSpan('00000000000000000000000000000a02', '0000000000000002'), name: 'sent from window B', service: 'win-test', startUs: Date.now() * 1000, durationUs: 1, shared: true }];
    await b.local.ingest(sent);
    assert.deepEqual(a.store.get('00000000000000000000000000000a02'), sent, 'exact, the shared flag included');
    assert.equal(b.store.stats().spans, 0, 'nothing shown twice: the client keeps no copy');
    assert.deepEqual(await b.local.services(), ['win-test']);
  });

  it('the second window’s agent tools run on the first one’s store: the answer crosses, not the spans; tool errors stay tool errors', async () => {
    const { port, b } = await twoWindows();
    assert.equal(await post(port, zipkin('00000000000000000000000000000b01', 'asked by an agent')), 202);
    const tools = new TraceTools({ endpoints: () => new Map([['local', b.local]]), allowSend: false });
    const answer = await until('the trace through the owner', () => tools.call('get_trace', { trace_id: '00000000000000000000000000000b01' }).catch(() => undefined));
    assert.match(answer.text, /root span 0000000000000001 "win-test" "asked by an agent"/);
    assert.equal(b.store.stats().spans, 0, 'the second window fetched no spans');
    await assert.rejects(tools.call('get_trace', { trace_id: 'cd'.repeat(16) }), (e: Error) => e instanceof ToolError && /has no trace/.test(e.message));
  });

  it('when the owning window closes, the other takes over within 2 s with everything stored, and keeps receiving', async () => {
    const port = await freePort();
    const dir = tmp();
    const a = window(port, dir);
    const b = window(port, dir);
    windows.push(b);
    await a.coordinator.start();
    await b.coordinator.start();
    assert.equal(await post(port, zipkin('00000000000000000000000000000b01', 'before the owner left')), 202);
    const closed = Date.now();
    await a.coordinator.stop();
    const roles: string[] = [];
    b.coordinator.onDidChange(() => roles.push(b.coordinator.role.kind));
    await until('the take-over', () => (b.coordinator.role.kind === 'owner' ? true : undefined), 5000);
    const took = Date.now() - closed;
    assert.ok(took <= 2000, `took ${took} ms`);
    assert.ok(roles.includes('taking-over'), 'says so while it takes over');
    assert.equal((await b.local.getTrace('00000000000000000000000000000b01'))?.[0].name, 'before the owner left', 'read back from disk');
    assert.equal(await post(port, zipkin('00000000000000000000000000000b02', 'after the take-over')), 202);
    assert.equal(b.store.get('00000000000000000000000000000b02')?.length, 1);
    assert.equal(b.local.owner, undefined);
  });

  it('when the owner\u2019s process is killed (an extension host crash), the other takes over with what it had stored', async () => {
    const port = await freePort();
    const dir = tmp();
    const owner: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'serve', '--otlp-port', String(port), '--zipkin-port', '0', '--grpc-port', '0', '--jaeger-compact-port', '0', '--jaeger-binary-port', '0', '--jaeger-http-port', '0', '--store', dir]);
    try {
      const rl = createInterface({ input: owner.stdout! });
      await once(rl, 'line');
      await once(rl, 'line');
      const b = window(port, dir);
      windows.push(b);
      await b.coordinator.start();
      assert.equal(b.coordinator.role.kind, 'client');
      assert.equal(await post(port, zipkin('00000000000000000000000000000c01', 'stored by the crashed owner')), 202);
      owner.kill('SIGKILL');
      const killed = Date.now();
      await until('the take-over', () => (b.coordinator.role.kind === 'owner' ? true : undefined), 5000);
      assert.ok(Date.now() - killed <= 2000, `took ${Date.now() - killed} ms`);
      assert.equal(b.store.get('00000000000000000000000000000c01')?.[0].name, 'stored by the crashed owner');
      assert.equal(b.coordinator.persistence?.writer, true, 'the dead owner\u2019s lock was taken over');
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it('a foreign program on the port is named, with what it answers, and is not retried', async () => {
    const port = await freePort();
    const foreign: Server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.startsWith('/api/v2/services') ? '["some-service"]' : '{}');
    });
    await new Promise<void>((r) => foreign.listen(port, '127.0.0.1', r));
    try {
      const w = window(port, tmp());
      windows.push(w);
      await w.coordinator.start();
      const role = w.coordinator.role;
      assert.equal(role.kind, 'foreign');
      assert.ok(role.kind === 'foreign');
      assert.match(role.holder.description, /^a Zipkin API/);
      assert.deepEqual(role.holder.endpoint, { type: 'zipkin', url: `http://127.0.0.1:${port}` });
      assert.match(w.local.status, new RegExp(`port ${port} is held by a Zipkin API .*, not by Trace Explorer`));
    } finally {
      await new Promise((r) => foreign.close(r));
    }
  });

  it('version skew: a newer owner is used and the window says what it cannot do; an older Trace Explorer is read through its Zipkin API, not replaced', async () => {
    const port = await freePort();
    const newer: Server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/trace-explorer/identify') return void res.end(JSON.stringify({ product: 'trace-explorer', protocol: 3, instance: 'future', version: '9.0.0', pid: 1, ports: { otlp: port }, writes: 0 }));
      if (req.url?.startsWith('/api/trace-explorer/traces')) return void res.end('[]');
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((r) => newer.listen(port, '127.0.0.1', r));
    try {
      const w = window(port, tmp());
      windows.push(w);
      await w.coordinator.start();
      assert.equal(w.coordinator.role.kind, 'client');
      assert.match(w.local.status, /newer Trace Explorer \(owner protocol 3, this window 2\)/);
      assert.deepEqual(await w.local.listTraces({}), []);
    } finally {
      await w0(newer);
    }
    // An older Trace Explorer: a receiver without the owner API, which says who it is in its 404.
    const port2 = await freePort();
    const older: Server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/v2/services')) return void res.end('["old-service"]');
      if (req.url?.startsWith('/api/v2/traces')) return void res.end('[]');
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain');
      res.end(`no route for GET ${req.url}; this is Trace Explorer's local receiver (OTLP: POST /v1/traces, Zipkin: POST /api/v2/spans, GET /api/v2/...)\n`);
    });
    await new Promise<void>((r) => older.listen(port2, '127.0.0.1', r));
    try {
      const w = window(port2, tmp());
      windows.push(w);
      await w.coordinator.start();
      assert.equal(w.coordinator.role.kind, 'client', 'read, not replaced');
      assert.match(w.local.status, /older Trace Explorer: read through its Zipkin API/);
      assert.deepEqual(await w.local.services(), ['old-service']);
      await assert.rejects(w.coordinator.clear(), /older Trace Explorer, which cannot clear it from here/);
    } finally {
      await w0(older);
    }
  });
});

function w0(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}
