/**
 * `trace-explorer serve`, `send` and `get` as a user runs them: the built CLI as child processes, the
 * receiver as its own process, the Tempo simulator as the Tempo peer.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { newSpan, type Span } from '../../src/shared/model';
import { TempoSimulator } from '../peers/tempoSimulator';
import { freePort } from '../peers/realPeers';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const EX = join(ROOT, 'test', 'fixtures', 'examples');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('trace-explorer serve, send and get', function () {
  this.timeout(30_000);
  let server: ChildProcess;
  let otlpPort: number;
  let zipkinPort: number;
  let jaegerHttpPort: number;
  let jaegerCompactPort: number;
  const lines: string[] = [];

  before(async () => {
    [otlpPort, zipkinPort, jaegerHttpPort, jaegerCompactPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const ports = ['--otlp-port', otlpPort, '--zipkin-port', zipkinPort, '--jaeger-http-port', jaegerHttpPort, '--jaeger-compact-port', jaegerCompactPort, '--jaeger-binary-port', 0, '--grpc-port', 0];
    server = spawn(process.execPath, [CLI, 'serve', ...ports.map(String)]);
    const rl = createInterface({ input: server.stdout! });
    rl.on('line', (l) => lines.push(l));
    while (lines.length < 4) await once(rl, 'line');
  });
  after(() => server?.kill('SIGTERM'));

  it('serve says where it listens', () => {
    assert.match(lines[0], new RegExp(`^OTLP/HTTP receiver on http://127\\.0\\.0\\.1:${otlpPort}/v1/traces`));
    assert.match(lines[1], new RegExp(`^Zipkin receiver on http://127\\.0\\.0\\.1:${zipkinPort}/api/v2/spans`));
    assert.equal(lines[2], `Jaeger collector (Thrift) on http://127.0.0.1:${jaegerHttpPort}/api/traces`);
    assert.equal(lines[3], `Jaeger agent (Thrift compact) on udp://127.0.0.1:${jaegerCompactPort}`);
    assert.ok(!lines.some((l) => /Thrift binary/.test(l)), '--jaeger-binary-port 0 turns it off');
  });

  it('a Jaeger agent datagram (the reference script\u2019s, captured) sent to the compact port is read back by get', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r, j) => socket.send(readFileSync(join(ROOT, 'test/fixtures/jaeger-thrift-compact-hello.bin')), jaegerCompactPort, '127.0.0.1', (e) => (e ? j(e) : r())));
    socket.close();
    const id = '2a252490cb43c7f0d1a6046287f2d0ec';
    let got = await run(['get', id, '--from', `http://127.0.0.1:${zipkinPort}`, '--backend', 'zipkin']);
    for (let i = 0; i < 50 && got.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      got = await run(['get', id, '--from', `http://127.0.0.1:${zipkinPort}`, '--backend', 'zipkin']);
    }
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /foo \[my-helloworld-service\]\n {4}bar \[my-helloworld-service\]\n {6}baz/);
  });

  it('send of the three curl payloads to the Zipkin port, then get, gives trace 0123456789abcde0 of 3 spans', async () => {
    for (const i of [1, 2, 3]) {
      const r = await run(['send', join(EX, `zipkin-curl-span-${i}.json`), '--to', `http://127.0.0.1:${zipkinPort}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sent 1 span of trace 0123456789abcde0 to http:\/\/127\.0\.0\.1:\d+\/api\/v2\/spans: HTTP 202/);
    }
    const got = await run(['get', '0123456789abcde0', '--from', `http://127.0.0.1:${zipkinPort}`, '--backend', 'zipkin', '--json']);
    assert.equal(got.code, 0, got.stderr);
    const doc = JSON.parse(got.stdout);
    assert.equal(doc.traces[0].spanCount, 3);
    assert.deepEqual(doc.traces[0].spans.map((s: { depth: number }) => s.depth), [0, 1, 2]);
  });

  it('compare reads A from a file and B by id from a running receiver (--from-b): the two spans B has more show as added', async () => {
    const r = await run(['compare', join(EX, 'zipkin-curl-span-1.json'), '0123456789abcde0', '--from-b', `http://127.0.0.1:${zipkinPort}`, '--backend-b', 'zipkin', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { a: { spanCount: number }; b: { traceId: string; spanCount: number }; nodes: Array<{ path: string[]; countA: number; countB: number; onlyIn?: string }> };
    assert.deepEqual([doc.a.spanCount, doc.b.traceId, doc.b.spanCount], [1, '0123456789abcde0', 3]);
    const root = doc.nodes.find((n) => n.path.length === 1)!;
    assert.deepEqual([root.path, root.countA, root.countB, root.onlyIn], [['shell script: span from bash!'], 1, 1, undefined]);
    assert.deepEqual(doc.nodes.filter((n) => n.onlyIn === 'b').map((n) => n.path.length).sort(), [2, 3]);
  });

  it('send FILE:LINE:COL picks the span at that position of send-spans.sh; --restamp gives it fresh ids near now', async () => {
    // Line 18 is inside the second payload ("id": "5678").
    const dry = await run(['send', `${join(EX, 'send-spans.sh')}:18:8`, '--to', `http://127.0.0.1:${otlpPort}/v1/traces`, '--restamp', '--dry-run', '--json', '--otlp-json']);
    assert.equal(dry.code, 0, dry.stderr);
    const req = JSON.parse(dry.stdout);
    assert.equal(req.url, `http://127.0.0.1:${otlpPort}/v1/traces`);
    assert.equal(req.contentType, 'application/json');
    const span = req.body.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.name, 'child span from bash!');
    assert.notEqual(span.spanId, '0000000000005678');
    assert.ok(Math.abs(Number(BigInt(span.endTimeUnixNano) / 1_000_000n) - Date.now()) < 60_000, 'moved to now');
    const sent = await run(['send', `${join(EX, 'send-spans.sh')}:18:8`, '--to', `http://127.0.0.1:${otlpPort}/v1/traces`, '--restamp', '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    const { traceIds, status } = JSON.parse(sent.stdout);
    assert.equal(status, 200);
    const got = await run(['get', traceIds[0], '--from', `http://127.0.0.1:${otlpPort}`, '--backend', 'zipkin', '--json']);
    assert.equal(JSON.parse(got.stdout).traces[0].spans[0].name, 'child span from bash!');
  });

  it('send at a position outside any payload says where to put it, exit 2, nothing sent', async () => {
    const r = await run(['send', `${join(EX, 'send-spans.sh')}:3:1`, '--to', `http://127.0.0.1:${zipkinPort}`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /send-spans\.sh:3:1: No span here: put the cursor inside a curl -d '…' payload \(this file has 3\)/);
    assert.equal(r.stdout, '');
  });

  it("send shows the receiver's rejection and exits 2", async () => {
    const port = await freePort();
    const r = await run(['send', join(EX, 'zipkin-curl-span-1.json'), '--to', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing is listening on 127\.0\.0\.1:\d+/);
  });

  it('send to Tempo goes to its receiver; get --backend tempo reads it back through the query API', async () => {
    const sim = await new TempoSimulator().start();
    try {
      const s = await run(['send', join(EX, 'zipkin-data-model-trace.json'), '--to', `${sim.otlpUrl}/v1/traces`, '--backend', 'tempo']);
      assert.equal(s.code, 0, s.stderr);
      const g = await run(['get', '5982fe77008310cc80f1da5e10147517', '--from', sim.queryUrl, '--backend', 'tempo', '--json']);
      assert.equal(g.code, 0, g.stderr);
      const t = JSON.parse(g.stdout).traces[0];
      assert.equal(t.spanCount, 5);
      assert.equal(t.depth, 3);
      const missing = await run(['get', 'abcdef', '--from', sim.queryUrl, '--backend', 'tempo']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /tempo at .* has no trace 0000000000abcdef/);
    } finally {
      await sim.stop();
    }
  });

  it('search --backend tempo lists the newest traces with the TraceQL it sent, a tag typed by Tempo\u2019s tag values, and leaves out what Tempo did not give', async () => {
    const sim = await new TempoSimulator().start();
    try {
      const now = Date.now() * 1000;
      const mk = (id: string, startUs: number, durationUs: number, attributes: Span['attributes'] = []): Span => ({ ...newSpan(id.padStart(32, '0'), '0000000000000001'), name: 'GET /x', service: 'web', startUs, durationUs, attributes });
      sim.add([mk('a1', now - 3e6, 2500, [{ key: 'http.status_code', value: 500 }])]);
      sim.add([mk('a2', now - 2e6, 400, [{ key: 'http.status_code', value: 200 }])]);
      sim.add([mk('a3', now - 1e6, 7000, [{ key: 'http.status_code', value: 500 }])]);
      const r = await run(['search', '--from', sim.queryUrl, '--backend', 'tempo', '--tag', 'span.http.status_code=500', '--since', '1h', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.query, '{ span.http.status_code = 500 } with (most_recent=true)');
      assert.deepEqual(doc.traces.map((t: { traceId: string }) => t.traceId.slice(-2)), ['a3', 'a1'], 'newest first');
      assert.deepEqual(Object.keys(doc.traces[0]).sort(), ['durationUs', 'errorCount', 'rootName', 'rootService', 'spanCount', 'startUs', 'traceId']);
      assert.equal(doc.traces[0].durationUs, 7000);
      const all = JSON.parse((await run(['search', '--from', sim.queryUrl, '--backend', 'tempo', '--json'])).stdout);
      const short = all.traces.find((t: { traceId: string }) => t.traceId.endsWith('a2'));
      assert.equal('durationUs' in short, false, 'Tempo gives no durationMs under 1 ms: left out, not zero');
      const bad = await run(['search', '--from', sim.queryUrl, '--backend', 'tempo', '--traceql', '{ status = "error" }']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /HTTP 400: invalid TraceQL query: binary operations must operate on the same type/);
    } finally {
      await sim.stop();
    }
  });

  it('search --backend local reads the local receiver the same way; get of a PARTIAL Tempo trace says INCOMPLETE and why', async () => {
    const local = await run(['search', '--from', `http://127.0.0.1:${zipkinPort}`, '--backend', 'local', '--service', 'shell script', '--json']);
    assert.equal(local.code, 0, local.stderr);
    const doc = JSON.parse(local.stdout);
    assert.ok(doc.traces.some((t: { traceId: string }) => t.traceId === '0123456789abcde0'), local.stdout);
    const sim = await new TempoSimulator({ maxSpansPerTrace: 1 }).start();
    try {
      const send = await run(['send', join(EX, 'zipkin-data-model-trace.json'), '--to', `${sim.otlpUrl}/v1/traces`, '--backend', 'tempo']);
      assert.equal(send.code, 0, send.stderr);
      const g = await run(['get', '5982fe77008310cc80f1da5e10147517', '--from', sim.queryUrl, '--backend', 'tempo']);
      assert.equal(g.code, 0, g.stderr);
      assert.match(g.stdout, /^INCOMPLETE: tempo returned part of this trace: Trace exceeds maximum size of 100 bytes, a partial trace is returned\n/);
      const j = JSON.parse((await run(['get', '5982fe77008310cc80f1da5e10147517', '--from', sim.queryUrl, '--backend', 'tempo', '--json'])).stdout);
      assert.match(j.incomplete, /partial trace is returned/);
    } finally {
      await sim.stop();
    }
  });

  it('serve --store DIR keeps what it received on disk: stopped and started again, it still has the trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'te-store-cli-'));
    const start = async (): Promise<{ proc: ChildProcess; port: number; lines: string[] }> => {
      const port = await freePort();
      const proc = spawn(process.execPath, [CLI, 'serve', '--otlp-port', String(port), '--zipkin-port', '0', '--grpc-port', '0', '--jaeger-compact-port', '0', '--jaeger-binary-port', '0', '--jaeger-http-port', '0', '--store', dir]);
      const out: string[] = [];
      const rl = createInterface({ input: proc.stdout! });
      rl.on('line', (l) => out.push(l));
      while (out.length < 2) await once(rl, 'line');
      return { proc, port, lines: out };
    };
    try {
      const first = await start();
      assert.match(first.lines[0], /^store .*: 0 traces read back$/);
      const sent = await run(['send', join(EX, 'zipkin-data-model-trace.json'), '--to', `http://127.0.0.1:${first.port}/v1/traces`]);
      assert.equal(sent.code, 0, sent.stderr);
      first.proc.kill('SIGKILL'); // not even a clean stop
      await once(first.proc, 'close');
      const second = await start();
      try {
        assert.match(second.lines[0], /^store .*: 1 trace read back$/);
        const got = await run(['get', '5982fe77008310cc80f1da5e10147517', '--from', `http://127.0.0.1:${second.port}`, '--backend', 'zipkin', '--json']);
        assert.equal(got.code, 0, got.stderr);
        assert.equal(JSON.parse(got.stdout).traces[0].spanCount, 5);
      } finally {
        second.proc.kill('SIGTERM');
        await once(second.proc, 'close');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
