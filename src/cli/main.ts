#!/usr/bin/env node
/**
 * `trace-explorer`: a thin command line over the trace core. Everything it prints is built first and
 * written at the end, so a failure never leaves half a document on stdout.
 */
import { parseArgs } from 'node:util';
import { ENCODE_FORMATS, encodeSpans } from '../shared/formats/encode';
import type { EncodeFormat } from '../shared/model';
import { linkTraces } from '../shared/trace/link';
import { summarizeTrace, type SummaryDocument } from '../shared/trace/summary';
import { formatDuration } from '../shared/time';
import { CliError, decodeFile, nodeIO, type CliIO } from './io';
import { compare, stats } from './analyze';
import { mcp } from './mcp';
import { get, search, send, serve } from './remote';

const USAGE = `Usage:
  trace-explorer summary FILE... [--adjust-skew] [--json]
  trace-explorer convert FILE --to zipkin|otlp-json|otlp-proto|jaeger
  trace-explorer send FILE[:LINE:COL] --to URL [--backend zipkin|tempo|jaeger|otlp] [--restamp]
                 [--dry-run] [--json] [--otlp-json] [--tenant T]
  trace-explorer get TRACEID --from URL --backend zipkin|tempo|jaeger [--json] [--tenant T] [--api-version v1|v3]
  trace-explorer search --from URL --backend tempo|zipkin|jaeger|local [--tenant T] [--service S] [--name N]
                 [--tag KEY=VALUE]... [--traceql Q] [--min-duration D] [--max-duration D] [--limit N]
                 [--since 1h | --start T --end T] [--json]
  trace-explorer stats FILE[#TRACEID] | --from URL --backend B TRACEID [--group-by service|operation|ATTR] [--json]
  trace-explorer compare A B [--from URL --backend B [--from-b URL --backend-b B]] [--json] [--all] [--min-change 10%]
  trace-explorer serve [--otlp-port N] [--grpc-port N] [--zipkin-port N] [--jaeger-compact-port N] [--jaeger-binary-port N] [--jaeger-http-port N] [--max-spans N]
                 [--host H] [--allow-host NAME]... [--cors-origin ORIGIN]... [--store DIR]
  trace-explorer mcp [--endpoint NAME=URL --backend zipkin|tempo|jaeger]... [--store DIR] [--local-port N] [--allow-send]

Formats read: Zipkin v2 JSON, OTLP/JSON, OTLP protobuf, Tempo trace JSON (v1 and v2),
Jaeger JSON and /api/v3, OpenTelemetry Python console output. FILE may be - for stdin.
send FILE:LINE:COL sends the span (or array of spans) at that position, in JSON, Markdown code
blocks and curl -d '…' payloads of shell scripts. A bearer token comes from TRACE_EXPLORER_TOKEN.
stats and compare read a trace from a FILE (FILE#TRACEID picks one of several) or, with --from, by id;
compare's B may come from another endpoint (--from-b, --backend-b). Durations in --json are µs.
mcp serves the agent tools (search_traces, get_trace, get_span, spans_at_code, compare_traces; send_spans
with --allow-send) over MCP on stdio, reading the running VS Code's local receiver (or --store DIR).`;

function summary(io: CliIO, args: string[]): void {
  const { values, positionals } = parseArgs({ args, options: { 'adjust-skew': { type: 'boolean' }, json: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length === 0) throw new CliError('summary needs at least one FILE');
  const results = positionals.map((f) => decodeFile(io, f));
  const formats = [...new Set(results.map((r) => r.format))];
  const traces = linkTraces(results.flatMap((r) => r.spans), { adjustSkew: values['adjust-skew'] === true });
  const doc: SummaryDocument = { format: formats.join('+'), traces: traces.map(summarizeTrace) };
  if (values.json) {
    io.stdout(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  let out = '';
  for (const t of doc.traces) {
    out += `trace ${t.traceId}  ${t.spanCount} span${t.spanCount === 1 ? '' : 's'}, ${t.depth} level${t.depth === 1 ? '' : 's'}, ${formatDuration(t.durationUs)}`;
    out += `, services: ${t.services.join(', ') || '(none)'}`;
    if (t.errorCount) out += `, ${t.errorCount} error${t.errorCount === 1 ? '' : 's'}`;
    if (t.orphanCount) out += `, ${t.orphanCount} orphan${t.orphanCount === 1 ? '' : 's'}`;
    out += '\n';
    for (const s of t.spans) {
      const offset = formatDuration(s.startUs - t.startUs);
      out += `  ${'  '.repeat(s.depth)}${s.name || '(unnamed)'}  [${s.service || '?'}]  ${formatDuration(s.durationUs)} @+${offset}${s.adjustedUs ? `  (skew ${s.adjustedUs > 0 ? '+' : ''}${formatDuration(s.adjustedUs)})` : ''}\n`;
    }
    for (const w of t.warnings) out += `  ! ${w}\n`;
  }
  io.stdout(`format: ${doc.format}\n${out}`);
}

function convert(io: CliIO, args: string[]): void {
  const { values, positionals } = parseArgs({ args, options: { to: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new CliError('convert needs exactly one FILE');
  const to = values.to as EncodeFormat | undefined;
  if (!to || !ENCODE_FORMATS.includes(to)) throw new CliError(`--to must be one of ${ENCODE_FORMATS.join(', ')}`);
  const { spans } = decodeFile(io, positionals[0]);
  const encoded = encodeSpans(spans, to);
  io.stdout(typeof encoded.body === 'string' ? encoded.body + '\n' : encoded.body);
}

export async function runCli(argv: string[], io: CliIO = nodeIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'summary':
        summary(io, rest);
        return 0;
      case 'convert':
        convert(io, rest);
        return 0;
      case 'send':
        await send(io, rest);
        return 0;
      case 'get':
        await get(io, rest);
        return 0;
      case 'search':
        await search(io, rest);
        return 0;
      case 'serve':
        await serve(io, rest);
        return 0;
      case 'stats':
        await stats(io, rest);
        return 0;
      case 'compare':
        await compare(io, rest);
        return 0;
      case 'mcp':
        await mcp(io, rest);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command '${command}'\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`trace-explorer: ${e.message}\n`);
      return 2;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`trace-explorer: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`trace-explorer: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
