/** The CLI commands that talk to backends: send, get, serve. Thin shells over src/node. */
import { parseArgs } from 'node:util';
import { BackendError } from '../node/http/backendError';
import { HttpClient } from '../node/http/httpClient';
import { LocalReceiver, type ListenerName } from '../node/receiver';
import { createSource } from '../node/sources/createSource';
import { PersistentStore } from '../node/store/persistentStore';
import { TempoSource } from '../node/sources/tempoSource';
import type { FetchedTrace, SearchQuery, TraceSource } from '../node/sources/traceSource';
import { ingestFormatFor, postSpans, withDefaultPath } from '../node/sources/sourceCommon';
import { kindOf } from '../shared/editor/payloadRegions';
import { spanAtCursor } from '../shared/editor/spanAtCursor';
import { encodeSpans } from '../shared/formats/encode';
import { normalizeTraceId, traceIdKey } from '../shared/ids';
import { lineColumn, offsetOf } from '../shared/json/scanner';
import type { EncodeFormat, Span } from '../shared/model';
import { isTempoValueType, traceqlField, type TempoValueType } from '../shared/query/traceql';
import { TraceStore, type TraceSummaryRow } from '../shared/store/traceStore';
import { formatDuration, parseDurationInput } from '../shared/time';
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
  const source = sourceFor(backend, values.from, values.tenant, values['api-version']);
  try {
    const fetched: FetchedTrace | undefined = source.fetchTrace ? await source.fetchTrace(id) : await source.getTrace(id).then((spans) => (spans ? { spans } : undefined));
    if (!fetched) throw new CliError(`${backend} at ${values.from} has no trace ${id}`);
    const traces = linkTraces(fetched.spans, { adjustSkew: values['adjust-skew'] === true }).filter((t) => traceIdKey(t.traceId) === traceIdKey(id));
    const incomplete = fetched.incomplete;
    const doc = { format: backend, ...(incomplete ? { incomplete } : {}), traces: traces.map(summarizeTrace) };
    if (values.json) io.stdout(JSON.stringify(doc, null, 2) + '\n');
    else {
      // An incomplete trace is never presented as complete: the first line says so, and why.
      if (incomplete) io.stdout(`INCOMPLETE: ${backend} returned part of this trace: ${incomplete}\n`);
      for (const t of doc.traces) io.stdout(`trace ${t.traceId}  ${t.spanCount} spans, ${t.depth} levels, services: ${t.services.join(', ')}\n${t.spans.map((s) => `  ${'  '.repeat(s.depth)}${s.name} [${s.service}]`).join('\n')}\n`);
    }
  } catch (e) {
    if (e instanceof BackendError) throw new CliError(e.message);
    throw e;
  } finally {
    await source.dispose?.();
  }
}

/** One trace from a query API, for commands that read a trace by id (`stats`, `compare`). */
export async function fetchSpans(backend: string, url: string, id: string, tenant?: string, apiVersion?: string): Promise<FetchedTrace> {
  const source = sourceFor(backend, url, tenant, apiVersion);
  try {
    const fetched: FetchedTrace | undefined = source.fetchTrace ? await source.fetchTrace(id) : await source.getTrace(id).then((spans) => (spans ? { spans } : undefined));
    if (!fetched?.spans.length) throw new CliError(`${backend} at ${url} has no trace ${id}`);
    return fetched;
  } catch (e) {
    if (e instanceof BackendError) throw new CliError(e.message);
    throw e;
  } finally {
    await source.dispose?.();
  }
}

/** A query source for --from/--backend (`local` is the local receiver's Zipkin API). */
function sourceFor(backend: string, url: string, tenant: string | undefined, apiVersion: string | undefined): TraceSource {
  const type = backend === 'local' ? 'zipkin' : backend;
  if (type !== 'zipkin' && type !== 'tempo' && type !== 'jaeger') throw new CliError('--backend must be zipkin, tempo or jaeger');
  try {
    return createSource({ name: backend, type, url, tenant, apiVersion: apiVersion === 'v3' ? 'v3' : 'v1', auth: process.env.TRACE_EXPLORER_TOKEN ? 'bearer' : 'none' }, { secret: process.env.TRACE_EXPLORER_TOKEN });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

/** `--since 1h`, or `--start`/`--end` as epoch seconds or ISO dates, into the search's time range. */
function timeRange(since: string | undefined, start: string | undefined, end: string | undefined): Pick<SearchQuery, 'lookbackMs' | 'endMs'> {
  const when = (v: string, flag: string): number => {
    const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (!Number.isFinite(ms)) throw new CliError(`${flag} ${v} is neither epoch seconds nor a date`);
    return ms;
  };
  if (since !== undefined) {
    if (start !== undefined || end !== undefined) throw new CliError('give --since, or --start and --end, not both');
    const us = parseDurationInput(since);
    if (us === undefined || us <= 0) throw new CliError(`--since ${since} is not a duration like 15m, 1h or 2d`);
    return { lookbackMs: us / 1000 };
  }
  if (start === undefined && end === undefined) return {};
  if (start === undefined || end === undefined) throw new CliError('--start and --end go together');
  const s = when(start, '--start');
  const e = when(end, '--end');
  if (e <= s) throw new CliError('--end must be after --start');
  return { endMs: e, lookbackMs: e - s };
}

/** `search`: recent traces the way the Traces view lists them (the same source code path), newest first. */
export async function search(io: CliIO, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      backend: { type: 'string' },
      tenant: { type: 'string' },
      'api-version': { type: 'string' },
      service: { type: 'string' },
      name: { type: 'string' },
      tag: { type: 'string', multiple: true },
      traceql: { type: 'string' },
      'min-duration': { type: 'string' },
      'max-duration': { type: 'string' },
      limit: { type: 'string' },
      since: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.from) throw new CliError('search needs --from URL (the query API: Zipkin 9411, Tempo 3200, Jaeger 16686, or the local receiver)');
  if (!values.backend) throw new CliError('search needs --backend tempo, zipkin, jaeger or local');
  const duration = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const us = parseDurationInput(v);
    if (us === undefined) throw new CliError(`${flag} ${v} is not a duration like 100ms, 1.5s or 250us`);
    return us;
  };
  const tags: Record<string, string> = {};
  for (const t of values.tag ?? []) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw new CliError(`--tag ${t} must be KEY=VALUE`);
    tags[t.slice(0, eq)] = t.slice(eq + 1);
  }
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit ${values.limit} is not a positive whole number`);
  }
  const q: SearchQuery = {
    service: values.service,
    operation: values.name,
    minDurationUs: duration(values['min-duration'], '--min-duration'),
    maxDurationUs: duration(values['max-duration'], '--max-duration'),
    ...(Object.keys(tags).length ? { tags } : {}),
    traceql: values.traceql,
    limit,
    ...timeRange(values.since, values.start, values.end),
  };
  const source = sourceFor(values.backend, values.from, values.tenant, values['api-version']);
  try {
    // TraceQL compares typed values: a tag's value takes the type Tempo's tag-values answer gives it.
    if (source instanceof TempoSource && q.tags && !q.traceql) q.tagTypes = await tempoTagTypes(source, q.tags);
    const rows = await source.listTraces(q);
    const query = source.queryText ? source.queryText(q) : JSON.stringify(Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)));
    const traces = rows.map((r) => {
      const known = (k: NonNullable<TraceSummaryRow['missing']>[number]): boolean => !r.missing?.includes(k);
      return {
        traceId: r.traceId,
        ...(known('rootService') ? { rootService: r.rootService } : {}),
        ...(known('rootName') ? { rootName: r.rootName } : {}),
        startUs: r.startUs,
        ...(known('durationUs') ? { durationUs: r.durationUs } : {}),
        ...(known('spanCount') ? { spanCount: r.spanCount } : {}),
        ...(known('errorCount') ? { errorCount: r.errorCount } : {}),
      };
    });
    if (values.json) {
      io.stdout(JSON.stringify({ query, traces }, null, 2) + '\n');
      return;
    }
    io.stdout(`query: ${query}\n`);
    for (const t of traces) {
      const root = t.rootService !== undefined ? `${t.rootService}: ${t.rootName}` : '(root not yet received)';
      const dur = t.durationUs !== undefined ? formatDuration(t.durationUs) : '<1 ms';
      io.stdout(`${t.traceId}  ${new Date(t.startUs / 1000).toISOString()}  ${dur}  ${t.spanCount ?? '?'} span${t.spanCount === 1 ? '' : 's'}${t.errorCount ? `, ${t.errorCount} error${t.errorCount === 1 ? '' : 's'}` : ''}  ${root}\n`);
    }
    if (!traces.length) io.stdout('no traces\n');
  } catch (e) {
    if (e instanceof BackendError) throw new CliError(e.message);
    throw e;
  } finally {
    await source.dispose?.();
  }
}

/** The type Tempo's tag-values API gives each tag's value (none when it does not list that value). */
async function tempoTagTypes(source: TempoSource, tags: Record<string, string>): Promise<Record<string, TempoValueType>> {
  const out: Record<string, TempoValueType> = {};
  for (const [key, value] of Object.entries(tags)) {
    const field = traceqlField(key);
    if (field.startsWith('.') || field in { name: 1 }) continue; // unscoped: the API wants a scope
    try {
      const hit = (await source.typedTagValues(field)).find((v) => v.value === value);
      if (hit && isTempoValueType(hit.type)) out[key] = hit.type;
    } catch {
      // no suggestions: the value's look decides
    }
  }
  return out;
}

/** Run the local receiver alone until interrupted; one line per batch received. */
export async function serve(io: CliIO, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'otlp-port': { type: 'string' },
      'zipkin-port': { type: 'string' },
      'grpc-port': { type: 'string' },
      'jaeger-compact-port': { type: 'string' },
      'jaeger-binary-port': { type: 'string' },
      'jaeger-http-port': { type: 'string' },
      'max-spans': { type: 'string' },
      host: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'cors-origin': { type: 'string', multiple: true },
      store: { type: 'string' },
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
    // For the gRPC and Jaeger ports 0 means off, as in the extension's settings.
    grpcPort: port(values['grpc-port'], 4317) || null,
    jaegerCompactPort: port(values['jaeger-compact-port'], 6831) || null,
    jaegerBinaryPort: port(values['jaeger-binary-port'], 6832) || null,
    jaegerHttpPort: port(values['jaeger-http-port'], 14268) || null,
    host: values.host,
    // Requests must name the loopback, the address served on, or a name given with --allow-host.
    allowedHosts: [...(values['allow-host'] ?? []), ...(values.host && values.host !== '0.0.0.0' && values.host !== '::' ? [values.host] : [])],
    ...(values['cors-origin'] ? { corsOrigins: values['cors-origin'] } : {}),
    log: (l) => io.stderr(l + '\n'),
  });
  // --store DIR: the same store on disk as the extension's, so both can share it.
  let persistence: PersistentStore | undefined;
  if (values.store) {
    persistence = new PersistentStore(store, values.store, { onError: (e) => io.stderr(`store: ${e.message}\n`) });
    const writer = persistence.open();
    const loaded = persistence.stats().loadedTraces;
    io.stdout(`store ${values.store}: ${loaded} trace${loaded === 1 ? '' : 's'} read back${writer ? '' : '; another process writes it, so this one only reads'}\n`);
  }
  const results = await receiver.start();
  const host = values.host ?? '127.0.0.1';
  const where: Record<ListenerName, (p: number) => string> = {
    otlp: (p) => `OTLP/HTTP receiver on http://${host}:${p}/v1/traces (also Zipkin v2 JSON and the Zipkin query API)`,
    grpc: (p) => `OTLP/gRPC receiver on ${host}:${p}`,
    zipkin: (p) => `Zipkin receiver on http://${host}:${p}/api/v2/spans (and the Zipkin query API /api/v2/...)`,
    'jaeger-compact': (p) => `Jaeger agent (Thrift compact) on udp://${host}:${p}`,
    'jaeger-binary': (p) => `Jaeger agent (Thrift binary) on udp://${host}:${p}`,
    'jaeger-http': (p) => `Jaeger collector (Thrift) on http://${host}:${p}/api/traces`,
  };
  for (const r of results) io.stdout(r.port ? `${where[r.name](r.port)}\n` : `${r.name}: ${r.error}\n`);
  if (results.every((r) => !r.port)) throw new CliError('no receiver could start');
  store.onDidAdd((ids) => io.stdout(`received spans of ${ids.join(', ')} (${store.stats().traces} traces, ${store.stats().spans} spans kept)\n`));
  await new Promise<void>((resolve) => {
    const stop = (): void => void receiver.stop().then(() => persistence?.close()).then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
