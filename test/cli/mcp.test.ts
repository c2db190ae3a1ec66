/**
 * `trace-explorer mcp` as an MCP client meets it: the built CLI started over stdio by the official SDK's
 * own client, reading a running local receiver (`trace-explorer serve`, which offers the same owner API
 * as VS Code's) and a Tempo endpoint (the Tempo simulator). Tool list with schemas, answers with
 * structured content, errors as MCP tool errors, hostile span text quoted, send only with --allow-send.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { encodeSpans } from '../../src/shared/formats/encode';
import { decodeText } from '../../src/shared/formats/detect';
import { TOOLS } from '../../src/shared/agent/toolSchemas';
import { freePort } from '../peers/realPeers';
import { TempoSimulator } from '../peers/tempoSimulator';
import { HOSTILE_TRACE_ID, hostileTrace, injectionProblems } from '../agent/hostileSpans';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const EX = join(ROOT, 'test', 'fixtures', 'examples');
const DATA_MODEL_ID = '5982fe77008310cc80f1da5e10147517';

async function connect(args: string[]): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'trace-explorer-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err };
}

const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('trace-explorer mcp (the MCP SDK client over stdio)', function () {
  this.timeout(60_000);
  let receiver: ChildProcess;
  let port: number;
  let tempo: TempoSimulator;
  let client: Client;
  let stderr: () => string;

  before(async () => {
    port = await freePort();
    receiver = spawn(process.execPath, [CLI, 'serve', '--otlp-port', String(port), '--zipkin-port', '0', '--grpc-port', '0', '--jaeger-compact-port', '0', '--jaeger-binary-port', '0', '--jaeger-http-port', '0']);
    const rl = createInterface({ input: receiver.stdout! });
    await once(rl, 'line');
    const post = async (body: string, contentType: string): Promise<void> => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body, headers: { 'content-type': contentType } });
      assert.equal(res.status, 200, await res.text());
    };
    // The reference payloads as users send them, and a trace written to attack agents.
    await post(readFileSync(join(EX, 'zipkin-data-model-trace.json'), 'utf8'), 'application/json');
    for (const n of [1, 2, 3]) await post(readFileSync(join(EX, `zipkin-curl-span-${n}.json`), 'utf8'), 'application/json');
    await post(readFileSync(join(ROOT, 'test/fixtures/otlp-test-span.json'), 'utf8'), 'application/json');
    const hostile = encodeSpans(hostileTrace(), 'otlp-json');
    await post(hostile.body as string, 'application/json');
    tempo = await new TempoSimulator().start();
    tempo.add(decodeText(readFileSync(join(EX, 'zipkin-data-model-trace.json'), 'utf8')).spans);
    ({ client, stderr } = await connect(['--local-port', String(port), '--endpoint', `tempo=${tempo.queryUrl}`, '--backend', 'tempo']));
  });

  after(async () => {
    await client?.close();
    receiver?.kill('SIGTERM');
    await tempo?.stop();
  });

  it('lists the five read-only tools with their schemas and read-only hints, and no send_spans without --allow-send', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['search_traces', 'get_trace', 'get_span', 'spans_at_code', 'compare_traces']);
    for (const t of tools) {
      assert.deepEqual(t.inputSchema, TOOLS.find((d) => d.name === t.name)!.inputSchema);
      assert.equal(t.annotations?.readOnlyHint, true);
    }
    assert.match(stderr(), /serving search_traces, get_trace, get_span, spans_at_code, compare_traces on stdio/);
  });

  it('search_traces reads the running receiver\u2019s store: the curl trace by its service', async () => {
    const r = (await client.callTool({ name: 'search_traces', arguments: { service: 'shell script' } })) as CallToolResult;
    assert.ok(!r.isError, text(r));
    const traces = (r.structuredContent as { traces: Array<{ traceId: string; spanCount: number }> }).traces;
    assert.deepEqual(traces.map((t) => [t.traceId, t.spanCount]), [['0123456789abcde0', 3]]);
    assert.match(text(r), /^1 trace from "local", newest first\./);
  });

  it('get_trace summarizes the data-model trace from the local receiver and, the same, from the Tempo endpoint', async () => {
    for (const endpoint of ['local', 'tempo']) {
      const r = (await client.callTool({ name: 'get_trace', arguments: { trace_id: DATA_MODEL_ID, endpoint } })) as CallToolResult;
      assert.ok(!r.isError, text(r));
      const data = r.structuredContent as { spanCount: number; criticalPath: Array<{ name: string }>; endpoint: string };
      assert.equal(data.spanCount, 5);
      assert.equal(data.endpoint, endpoint);
      assert.deepEqual(data.criticalPath.slice(0, 2).map((s) => s.name), ['get', 'get-traces']);
    }
  });

  it('get_span and spans_at_code lead from the failing test span to its source line', async () => {
    const at = (await client.callTool({ name: 'spans_at_code', arguments: { file: 'app.ts', line: 42 } })) as CallToolResult;
    const spans = (at.structuredContent as { spans: Array<{ traceId: string; spanId: string; error: boolean; location: string }> }).spans;
    assert.equal(spans.length, 1, text(at));
    assert.deepEqual([spans[0].error, spans[0].location], [true, '/src/app.ts:42']);
    const span = (await client.callTool({ name: 'get_span', arguments: { trace_id: spans[0].traceId, span_id: spans[0].spanId } })) as CallToolResult;
    assert.match(text(span), /Source locations \(first is the span's own\):\n {2}"\/src\/app\.ts:42"/);
  });

  it('answers a bad input, an unknown trace and an unknown endpoint as tool errors the model can read', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /"trace_id" is required/],
      [{ trace_id: 'nothex!' }, /"trace_id" must be hex digits/],
      [{ trace_id: 'ab'.repeat(16) }, /has no trace/],
      [{ trace_id: DATA_MODEL_ID, endpoint: 'prod' }, /No endpoint "prod"\. Endpoints: "tempo", "local"/],
    ];
    for (const [args, message] of cases) {
      const r = (await client.callTool({ name: 'get_trace', arguments: args })) as CallToolResult;
      assert.equal(r.isError, true, JSON.stringify(args));
      assert.match(text(r), message);
    }
  });

  it('gives the hostile trace\u2019s planted instructions to the model as quoted data only', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [
      ['search_traces', {}],
      ['get_trace', { trace_id: HOSTILE_TRACE_ID }],
      ['get_trace', { trace_id: HOSTILE_TRACE_ID, detail: 'spans' }],
      ['get_span', { trace_id: HOSTILE_TRACE_ID, span_id: 'aaaaaaaaaaaaaaa1' }],
      ['spans_at_code', { file: 'server.js', line: 40 }],
    ];
    for (const [name, args] of calls) {
      const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
      assert.ok(!r.isError, text(r));
      assert.deepEqual(injectionProblems(text(r)), [], `${name}: ${text(r).slice(0, 300)}`);
    }
  });

  it('says which receiver it could not find when no VS Code (or serve) is running', async () => {
    const { client: lonely } = await connect(['--local-port', String(await freePort())]);
    try {
      const r = (await lonely.callTool({ name: 'search_traces', arguments: {} })) as CallToolResult;
      assert.equal(r.isError, true);
      assert.match(text(r), /No Trace Explorer local receiver on port \d+ .*Open VS Code with Trace Explorer/);
    } finally {
      await lonely.close();
    }
  });

  it('--store DIR reads a store on disk, and answers exactly as the running receiver does for the same trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'te-mcp-store-'));
    try {
      const p = await freePort();
      const writer = spawn(process.execPath, [CLI, 'serve', '--otlp-port', String(p), '--zipkin-port', '0', '--grpc-port', '0', '--jaeger-compact-port', '0', '--jaeger-binary-port', '0', '--jaeger-http-port', '0', '--store', dir]);
      try {
        // The store's line comes first, then the receiver's.
        const rl = createInterface({ input: writer.stdout! });
        const lines: string[] = [];
        rl.on('line', (l) => lines.push(l));
        while (lines.length < 2) await once(rl, 'line');
        await fetch(`http://127.0.0.1:${p}/v1/traces`, { method: 'POST', body: readFileSync(join(EX, 'zipkin-data-model-trace.json'), 'utf8'), headers: { 'content-type': 'application/json' } });
      } finally {
        writer.kill('SIGTERM');
        await once(writer, 'close');
      }
      const { client: fromDisk } = await connect(['--store', dir]);
      try {
        const disk = (await fromDisk.callTool({ name: 'get_trace', arguments: { trace_id: DATA_MODEL_ID } })) as CallToolResult;
        const running = (await client.callTool({ name: 'get_trace', arguments: { trace_id: DATA_MODEL_ID } })) as CallToolResult;
        assert.equal(text(disk), text(running));
      } finally {
        await fromDisk.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --allow-send offers send_spans, and spans it sends reach the running receiver', async () => {
    const { client: sender } = await connect(['--local-port', String(port), '--allow-send']);
    try {
      const { tools } = await sender.listTools();
      const send = tools.find((t) => t.name === 'send_spans');
      assert.equal(send?.annotations?.readOnlyHint, false);
      const payload = readFileSync(join(EX, 'zipkin-curl-span-1.json'), 'utf8').replace('0123456789abcde0', '00000000000000000000000000c0ffee');
      const r = (await sender.callTool({ name: 'send_spans', arguments: { payload, restamp: false } })) as CallToolResult;
      assert.ok(!r.isError, text(r));
      const got = (await sender.callTool({ name: 'get_trace', arguments: { trace_id: '00000000000000000000000000c0ffee' } })) as CallToolResult;
      assert.equal((got.structuredContent as { spanCount: number }).spanCount, 1, text(got));
    } finally {
      await sender.close();
    }
  });
});
