/** The CLI commands that talk to backends: send, get, serve. Thin shells over src/node. */
import { parseArgs } from 'node:util';
import { BackendError } from '../node/http/backendError';
import { HttpClient } from '../node/http/httpClient';
import { LocalReceiver, type ListenerName } from '../node/receiver';
import { createSource } from '../node/sources/createSource';
import { ingestFormatFor, postSpans, withDefaultPath } from '../node/sources/sourceCommon';
import { kindOf } from '../shared/editor/payloadRegions';
import { spanAtCursor } from '../shared/editor/spanAtCursor';
import { encodeSpans } from '../shared/formats/encode';
import { normalizeTraceId, traceIdKey } from '../shared/ids';
import { lineColumn, offsetOf } from '../shared/json/scanner';
import type { EncodeFormat, Span } from '../shared/model';
import { TraceStore } from '../shared/store/traceStore';
import { linkTraces } from '../shared/trace/link';
import { restampSpans } from '../shared/trace/restamp';
import { summarizeTrace } from '../shared/trace/summary';
import { CliError, decodeFile, type CliIO } from './io';

const BACKENDS = ['zipkin', 'tempo', 'jaeger', 'otlp'] as const;
type Backend = (typeof BACKENDS)[number];

/** `FILE:LINE:COL` → the file and a 1-based position; plain FILE → no position. */
export function splitPosition(arg: string): { file: string; line?: number; column?: number } {
  const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(arg);
  if (!m || !m[1]) return { file: arg };
  return { file: m[1], line: Number(m[2]), column: m[3] ? Number(m[3]) : 1 };
}

/** The spans a `send` argument names: the whole file, or the span at FILE:LINE:COL (same finder as the editor). */
function spansToSend(io: CliIO, arg: string): { spans: Span[]; picked?: string } {
  const { file, line, column } = splitPosition(arg);
  if (line === undefined) return { spans: decodeFile(io, file).spans };
  let text: string;
  try {
    text = new TextDecoder().decode(io.readFile(file));
  } catch (e) {
    throw new CliError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const pick = spanAtCursor(text, offsetOf(text, line, column ?? 1), kindOf('', file));
  if (!('spans' in pick)) {
    const at = pick.start !== undefined ? lineColumn(text, pick.start) : { line, column };
    throw new CliError(`${file}:${at.line}:${at.column}: ${pick.message}`);
  }
  const from = lineColumn(text, pick.start);
  return { spans: pick.spans, picked: `${pick.label} at ${file}:${from.line}:${from.column}` };
}

/** Where and how to post for each backend kind, from the URL the user gave. */
export function ingestPlan(url: string, backend: Backend | undefined, otlpJson: boolean): { url: string; format: EncodeFormat } {
  const kind = backend ?? (/\/v1\/traces\/?$/.test(new URL(url).pathname) ? 'otlp' : 'zipkin');
  switch (kind) {
    case 'zipkin':
      return { url: withDefaultPath(url, '/api/v2/spans'), format: 'zipkin' };
    case 'otlp':
    case 'jaeger': {
      const u = withDefaultPath(url, '/v1/traces');
      return { url: u, format: otlpJson ? 'otlp-json' : 'otlp-proto' };
    }
    case 'tempo': {
      // Tempo ingests on its receivers: OTLP/HTTP at /v1/traces, otherwise its Zipkin receiver (any path).
      const format = ingestFormatFor(url);
      return { url, format: format === 'otlp-proto' && otlpJson ? 'otlp-json' : format };
    }
  }
}

export async function send(io: CliIO, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { to: { type: 'string' }, backend: { type: 'string' }, restamp: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, 'otlp-json': { type: 'boolean' }, tenant: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new CliError('send needs exactly one FILE or FILE:LINE:COL');
  if (!values.to) throw new CliError('send needs --to URL (e.g. http://localhost:9411 or http://localhost:4318/v1/traces)');
  const backend = values.backend as Backend | undefined;
  if (backend && !BACKENDS.includes(backend)) throw new CliError(`--backend must be one of ${BACKENDS.join(', ')}`);
  let target: URL;
  try {
    target = new URL(values.to);
  } catch {
    throw new CliError(`--to ${values.to} is not a URL`);
  }
  const picked = spansToSend(io, positionals[0]);
  const spans = values.restamp ? restampSpans(picked.spans, Date.now() * 1000) : picked.spans;
  const plan = ingestPlan(target.toString(), backend, values['otlp-json'] === true);
  const traceIds = [...new Set(spans.map((s) => s.traceId))];
  if (values['dry-run']) {
    const encoded = encodeSpans(spans, plan.format);
    if (values.json) {
      const body = typeof encoded.body === 'string' ? JSON.parse(encoded.body) : Buffer.from(encoded.body).toString('base64');
      io.stdout(JSON.stringify({ method: 'POST', url: plan.url, contentType: encoded.contentType, bodyEncoding: typeof encoded.body === 'string' ? 'json' : 'base64', spanCount: spans.length, traceIds, body }, null, 2) + '\n');
    } else {
      io.stdout(`would POST ${spans.length} span${spans.length === 1 ? '' : 's'} (${traceIds.join(', ')}) to ${plan.url} as ${encoded.contentType}${picked.picked ? `; ${picked.picked}` : ''}\n`);
    }
    return;
  }
  const client = new HttpClient({ endpoint: 'send', baseUrl: plan.url, tenant: values.tenant, auth: tokenAuth() });
  try {
    const result = await postSpans(client, plan.url, plan.format, spans);
    if (values.json) io.stdout(JSON.stringify({ ...result, traceIds }, null, 2) + '\n');
    else io.stdout(`sent ${spans.length} span${spans.length === 1 ? '' : 's'} of trace ${traceIds.join(', ')} to ${result.url}: HTTP ${result.status}${result.message ? ` (${result.message})` : ''}${picked.picked ? `\n  ${picked.picked}` : ''}\n`);
  } catch (e) {
    if (e instanceof BackendError) throw new CliError(e.message);
    throw e;
  } finally {
    await client.close();
  }
}

/** A bearer token from TRACE_EXPLORER_TOKEN (never a flag: flags land in shell history). */
function tokenAuth(): { kind: 'bearer'; token: string } | undefined {
  const token = process.env.TRACE_EXPLORER_TOKEN;
  return token ? { kind: 'bearer', token } : undefined;
}

export async function get(io: CliIO, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { from: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, 'adjust-skew': { type: 'boolean' }, tenant: { type: 'string' }, 'api-version': { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new CliError('get needs exactly one TRACEID');
  const id = normalizeTraceId(positionals[0]);
  if (!id) throw new CliError(`"${positionals[0]}" is not a trace id (1–32 hex digits)`);
  if (!values.from) throw new CliError('get needs --from URL (the query API: Zipkin 9411, Tempo 3200, Jaeger 16686)');
  const backend = values.backend;
  if (backend !== 'zipkin' && backend !== 'tempo' && backend !== 'jaeger') throw new CliError('--backend must be zipkin, tempo or jaeger');
  const apiVersion = values['api-version'] === 'v3' ? 'v3' : 'v1';
  let source;
  try {
    source = createSource({ name: backend, type: backend, url: values.from, tenant: values.tenant, apiVersion, auth: process.env.TRACE_EXPLORER_TOKEN ? 'bearer' : 'none' }, { secret: process.env.TRACE_EXPLORER_TOKEN });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  try {
    const spans = await source.getTrace(id);
    if (!spans) throw new CliError(`${backend} at ${values.from} has no trace ${id}`);
    const traces = linkTraces(spans, { adjustSkew: values['adjust-skew'] === true }).filter((t) => traceIdKey(t.traceId) === traceIdKey(id));
    const doc = { format: backend, traces: traces.map(summarizeTrace) };
    if (values.json) io.stdout(JSON.stringify(doc, null, 2) + '\n');
    else for (const t of doc.traces) io.stdout(`trace ${t.traceId}  ${t.spanCount} spans, ${t.depth} levels, services: ${t.services.join(', ')}\n${t.spans.map((s) => `  ${'  '.repeat(s.depth)}${s.name} [${s.service}]`).join('\n')}\n`);
  } catch (e) {
    if (e instanceof BackendError) throw new CliError(e.message);
    throw e;
  } finally {
    await source.dispose?.();
  }
}

/** Run the local receiver alone until interrupted; one line per batch received. */
export async function serve(io: CliIO, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'otlp-port': { type: 'string' },
      'zipkin-port': { type: 'string' },
      'jaeger-compact-port': { type: 'string' },
      'jaeger-binary-port': { type: 'string' },
      'jaeger-http-port': { type: 'string' },
      'max-spans': { type: 'string' },
      host: { type: 'string' },
    },
  });
  const port = (v: string | undefined, d: number): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`not a port: ${v}`);
    return n;
  };
  const store = new TraceStore(values['max-spans'] ? Number(values['max-spans']) : 200_000);
  const receiver = new LocalReceiver(store, {
    otlpPort: port(values['otlp-port'], 4318),
    zipkinPort: port(values['zipkin-port'], 9411),
    // For the Jaeger ports 0 means off, as in the extension's settings.
    jaegerCompactPort: port(values['jaeger-compact-port'], 6831) || null,
    jaegerBinaryPort: port(values['jaeger-binary-port'], 6832) || null,
    jaegerHttpPort: port(values['jaeger-http-port'], 14268) || null,
    host: values.host,
    log: (l) => io.stderr(l + '\n'),
  });
  const results = await receiver.start();
  const host = values.host ?? '127.0.0.1';
  const where: Record<ListenerName, (p: number) => string> = {
    otlp: (p) => `OTLP/HTTP receiver on http://${host}:${p}/v1/traces (also Zipkin v2 JSON and the Zipkin query API)`,
    zipkin: (p) => `Zipkin receiver on http://${host}:${p}/api/v2/spans (and the Zipkin query API /api/v2/...)`,
    'jaeger-compact': (p) => `Jaeger agent (Thrift compact) on udp://${host}:${p}`,
    'jaeger-binary': (p) => `Jaeger agent (Thrift binary) on udp://${host}:${p}`,
    'jaeger-http': (p) => `Jaeger collector (Thrift) on http://${host}:${p}/api/traces`,
  };
  for (const r of results) io.stdout(r.port ? `${where[r.name](r.port)}\n` : `${r.name}: ${r.error}\n`);
  if (results.every((r) => !r.port)) throw new CliError('no receiver could start');
  store.onDidAdd((ids) => io.stdout(`received spans of ${ids.join(', ')} (${store.stats().traces} traces, ${store.stats().spans} spans kept)\n`));
  await new Promise<void>((resolve) => {
    const stop = (): void => void receiver.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
