/**
 * The agent tools on a 100,000-span trace, measured where an agent waits: an MCP client (the official
 * SDK's) calling `trace-explorer mcp` over stdio, which reads a running local receiver (`serve`, the
 * same owner API a VS Code window offers). Each figure is a ratio to the same call on a 10-span trace in
 * the same run; the issue's absolute target (≤ 500 ms for get_trace) is printed beside it. A second
 * figure is the in-process path, VS Code's own: TraceTools over the window's store.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TraceTools } from '../src/node/agent/traceTools';
import { LocalSource } from '../src/node/sources/localSource';
import { estimateTokens } from '../src/shared/agent/dataText';
import { encodeSpans } from '../src/shared/formats/encode';
import { TraceStore } from '../src/shared/store/traceStore';
import { generateTrace } from './generate';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface AgentResult {
  name: string;
  ms: number;
  baselineMs: number;
  targetMs?: number;
  note?: string;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { ms: performance.now() - t, value };
}

export async function runAgentBench(): Promise<AgentResult[]> {
  const big = generateTrace(100_000, 31);
  const small = generateTrace(10, 32);
  const out: AgentResult[] = [];

  // In process, as in VS Code when the window owns the receiver: the store holds the spans.
  const store = new TraceStore(2_000_000);
  store.add(big);
  store.add(small);
  const local = new Map([['local', new LocalSource(store)]]);
  const inProcess = (): TraceTools => new TraceTools({ endpoints: () => local, allowSend: false });
  const smallIn = await timed(() => inProcess().call('get_trace', { trace_id: small[0].traceId }));
  const bigIn = await timed(() => inProcess().call('get_trace', { trace_id: big[0].traceId }));
  out.push({ name: 'get_trace, 100,000 spans, in VS Code (store in the window)', ms: bigIn.ms, baselineMs: smallIn.ms, targetMs: 500, note: `${estimateTokens(bigIn.value.text)} tokens of 2000` });

  // Over MCP, reading a running receiver through its owner API.
  const { freePort } = await import('../test/peers/realPeers');
  const port = await freePort();
  const server = spawn(process.execPath, [CLI, 'serve', '--otlp-port', String(port), '--zipkin-port', '0', '--grpc-port', '0', '--jaeger-compact-port', '0', '--jaeger-binary-port', '0', '--jaeger-http-port', '0', '--max-spans', '2000000']);
  try {
    await once(createInterface({ input: server.stdout! }), 'line');
    for (const spans of [big, small]) {
      const body = encodeSpans(spans, 'otlp-proto').body as Uint8Array;
      const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body: Buffer.from(body), headers: { 'content-type': 'application/x-protobuf' } });
      if (res.status !== 200) throw new Error(`the receiver refused the bench trace: ${res.status} ${await res.text()}`);
    }
    const client = new Client({ name: 'bench', version: '1' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--local-port', String(port)], stderr: 'ignore' }));
    try {
      const call = (name: string, args: Record<string, unknown>): Promise<unknown> => client.callTool({ name, arguments: args });
      await call('search_traces', {}); // the first call finds the receiver
      const smallMcp = await timed(() => call('get_trace', { trace_id: small[0].traceId }));
      const bigMcp = await timed(() => call('get_trace', { trace_id: big[0].traceId }));
      out.push({ name: 'get_trace, 100,000 spans, over MCP (first call: fetch, link, summarize)', ms: bigMcp.ms, baselineMs: smallMcp.ms, targetMs: 500 });
      const again = await timed(() => call('get_trace', { trace_id: big[0].traceId, max_tokens: 8000 }));
      out.push({ name: 'get_trace again within 5 s (the linked trace reused), over MCP', ms: again.ms, baselineMs: smallMcp.ms, targetMs: 500 });
      const span = await timed(() => call('get_span', { trace_id: big[0].traceId, span_id: big[50_000].spanId }));
      out.push({ name: 'get_span of that trace, over MCP', ms: span.ms, baselineMs: smallMcp.ms });
      const search = await timed(() => call('search_traces', { min_duration_ms: 1 }));
      out.push({ name: 'search_traces, over MCP', ms: search.ms, baselineMs: smallMcp.ms });
    } finally {
      await client.close();
    }
  } finally {
    server.kill('SIGTERM');
  }
  return out;
}

export function formatAgentResult(r: AgentResult): string {
  const target = r.targetMs === undefined ? '' : `; target ≤ ${r.targetMs} ms: ${r.ms <= r.targetMs ? 'met' : 'NOT met'}`;
  return `agent ${r.name}: ${r.ms.toFixed(0)} ms = ${(r.ms / r.baselineMs).toFixed(1)}× the same call on a 10-span trace (${r.baselineMs.toFixed(0)} ms)${target}${r.note ? `; ${r.note}` : ''}`;
}
