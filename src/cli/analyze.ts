/**
 * `trace-explorer stats` and `trace-explorer compare`: statistics of one trace and the comparison of
 * two, over the same shared code as the editor's views. A trace is a FILE (FILE#TRACEID picks one of
 * several in a file) or, with --from and --backend, a trace id on a query API.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { normalizeTraceId, traceIdKey } from '../shared/ids';
import { formatDuration } from '../shared/time';
import { compareTraces, comparisonJson, isChanged, relativeChange, type CompareNode } from '../shared/trace/compare';
import { linkTraces } from '../shared/trace/link';
import { traceStats } from '../shared/trace/stats';
import type { Trace } from '../shared/trace/trace';
import { CliError, decodeFile, type CliIO } from './io';
import { fetchSpans } from './remote';

interface Remote {
  from?: string;
  backend?: string;
  tenant?: string;
  apiVersion?: string;
}

/** Read one trace: a file (the only trace in it, or FILE#ID) or, given a query API, an id there. */
export async function loadTrace(io: CliIO, ref: string, remote: Remote, adjustSkew: boolean): Promise<Trace> {
  if (remote.from) {
    const id = normalizeTraceId(ref);
    if (!id) throw new CliError(`"${ref}" is not a trace id (1–32 hex digits); with --from, give trace ids`);
    if (!remote.backend) throw new CliError('--from needs --backend zipkin|tempo|jaeger|local');
    const fetched = await fetchSpans(remote.backend, remote.from, id, remote.tenant, remote.apiVersion);
    const trace = linkTraces(fetched.spans, { adjustSkew }).find((t) => traceIdKey(t.traceId) === traceIdKey(id));
    if (!trace) throw new CliError(`${remote.backend} at ${remote.from} has no trace ${id}`);
    if (fetched.incomplete) io.stderr(`trace-explorer: trace ${id} is incomplete: ${fetched.incomplete}\n`);
    return trace;
  }
  const hash = ref.lastIndexOf('#');
  const [file, wanted] = hash > 0 && !existsSync(ref) ? [ref.slice(0, hash), ref.slice(hash + 1)] : [ref, undefined];
  const traces = linkTraces(decodeFile(io, file).spans, { adjustSkew });
  if (wanted !== undefined) {
    const id = normalizeTraceId(wanted);
    const trace = id ? traces.find((t) => traceIdKey(t.traceId) === traceIdKey(id)) : undefined;
    if (!trace) throw new CliError(`${file} has no trace ${wanted}; it has ${traces.map((t) => t.traceId).join(', ') || 'none'}`);
    return trace;
  }
  if (traces.length !== 1) throw new CliError(`${file} holds ${traces.length} traces (${traces.map((t) => t.traceId).join(', ')}); pick one with ${file}#TRACEID`);
  return traces[0];
}

const REMOTE_OPTIONS = { from: { type: 'string' }, backend: { type: 'string' }, tenant: { type: 'string' }, 'api-version': { type: 'string' } } as const;

export async function stats(io: CliIO, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { ...REMOTE_OPTIONS, 'group-by': { type: 'string' }, json: { type: 'boolean' }, 'adjust-skew': { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new CliError('stats needs exactly one FILE (or, with --from, one TRACEID)');
  const groupBy = values['group-by'] ?? 'service';
  if (!groupBy) throw new CliError('--group-by needs service, operation or an attribute key');
  const trace = await loadTrace(io, positionals[0], { from: values.from, backend: values.backend, tenant: values.tenant, apiVersion: values['api-version'] }, values['adjust-skew'] === true);
  const doc = traceStats(trace, groupBy);
  if (values.json) {
    io.stdout(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  const traceUs = trace.endUs - trace.startUs;
  const header = [groupBy, 'count', 'total', 'self', 'avg', 'min', 'max', 'errors', 'self %'];
  const rows = doc.rows.map((r) => [r.key, String(r.count), formatDuration(r.totalUs), formatDuration(r.selfUs), formatDuration(r.avgUs), formatDuration(r.minUs), formatDuration(r.maxUs), String(r.errors), traceUs > 0 ? `${((100 * r.selfUs) / traceUs).toFixed(1)}%` : '—']);
  io.stdout(`trace ${trace.traceId}  ${trace.spans.length} spans, ${formatDuration(traceUs)}\n${table([header, ...rows])}`);
}

export async function compare(io: CliIO, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...REMOTE_OPTIONS, 'from-b': { type: 'string' }, 'backend-b': { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' }, 'min-change': { type: 'string' }, 'adjust-skew': { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 2) throw new CliError('compare needs two traces: A B (files, or trace ids with --from)');
  const skew = values['adjust-skew'] === true;
  const remoteA: Remote = { from: values.from, backend: values.backend, tenant: values.tenant, apiVersion: values['api-version'] };
  const remoteB: Remote = values['from-b'] ? { from: values['from-b'], backend: values['backend-b'] ?? values.backend, tenant: values.tenant, apiVersion: values['api-version'] } : remoteA;
  const [a, b] = await Promise.all([loadTrace(io, positionals[0], remoteA, skew), loadTrace(io, positionals[1], remoteB, skew)]);
  const c = compareTraces(a, b);
  if (values.json) {
    io.stdout(JSON.stringify(comparisonJson(c), null, 2) + '\n');
    return;
  }
  const minRelative = parsePercent(values['min-change'] ?? '10%');
  const shown = values.all ? c.nodes : c.nodes.filter((n) => isChanged(n, { minRelative, minUs: 1 }));
  let out = `A: trace ${c.a.traceId}  ${c.a.spanCount} spans, ${formatDuration(c.a.durationUs)}\n`;
  out += `B: trace ${c.b.traceId}  ${c.b.spanCount} spans, ${formatDuration(c.b.durationUs)} (${signedDuration(c.b.durationUs - c.a.durationUs)}${percent(c.a.durationUs, c.b.durationUs)})\n`;
  out += shown.length ? '' : `no node changed by ${Math.round(minRelative * 100)}% or more (--all lists every node)\n`;
  const rows = shown.map((n) => [n.path.join(' › '), change(n), `${n.countA} → ${n.countB}`, `${formatDuration(n.durationA)} → ${formatDuration(n.durationB)}`, `${formatDuration(n.selfA)} → ${formatDuration(n.selfB)}`, n.errorsA || n.errorsB ? `${n.errorsA} → ${n.errorsB}` : '', critical(n)]);
  if (rows.length) out += table([['node', 'change', 'count', 'duration', 'self', 'errors', 'critical'], ...rows]);
  if (!values.all && shown.length < c.nodes.length) out += `${c.nodes.length - shown.length} unchanged node${c.nodes.length - shown.length === 1 ? '' : 's'} not listed (--all lists them)\n`;
  io.stdout(out);
}

function change(n: CompareNode): string {
  if (n.onlyIn === 'a') return 'removed';
  if (n.onlyIn === 'b') return 'added';
  return `${signedDuration(n.durationB - n.durationA)}${percent(n.durationA, n.durationB)}`;
}

function critical(n: CompareNode): string {
  return n.criticalA && n.criticalB ? 'A B' : n.criticalA ? 'A' : n.criticalB ? 'B' : '';
}

function signedDuration(us: number): string {
  return us === 0 ? '±0' : `${us > 0 ? '+' : '−'}${formatDuration(Math.abs(us))}`;
}

function percent(a: number, b: number): string {
  const r = relativeChange(a, b);
  return r === undefined || r === 0 ? '' : `, ${r > 0 ? '+' : '−'}${Math.abs(r * 100).toFixed(r > -0.1 && r < 0.1 ? 1 : 0)}%`;
}

function parsePercent(text: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  if (!m) throw new CliError(`--min-change "${text}": give a percentage like 10%`);
  return Number(m[1]) / 100;
}

/** Columns padded to their widest cell; the first column left-aligned, the rest too (they are mixed text). */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - [...cell].length))).join('  ').trimEnd()).join('\n') + '\n';
}
