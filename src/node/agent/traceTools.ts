/**
 * The agent tools themselves, behind both front doors (VS Code's language-model tools and the MCP
 * server): a tool name and its input in, a ToolAnswer out, or a ToolError whose message says what to
 * do. They read the same endpoints the Traces view reads (the local receiver's store by default) and
 * link each trace with the same linker, so an agent sees what a person sees.
 */
import { DEFAULT_MAX_TOKENS, comparisonAnswer, errorOf, refMatches, searchAnswer, spanDetail, spansAtCodeAnswer, spansPage, traceDigest, type SpanAtCode, type ToolAnswer } from '../../shared/agent/traceDigest';
import { toolDefinition, validateInput, ToolInputError, type ToolName } from '../../shared/agent/toolSchemas';
import { quote } from '../../shared/agent/dataText';
import { decodeText } from '../../shared/formats/detect';
import { normalizeSpanId, normalizeTraceId } from '../../shared/ids';
import type { Span } from '../../shared/model';
import { sourceRefsOfSpan, type SourceRef } from '../../shared/source/spanSources';
import { parseDurationInput } from '../../shared/time';
import { compareTraces } from '../../shared/trace/compare';
import { linkTrace } from '../../shared/trace/link';
import { restampSpans } from '../../shared/trace/restamp';
import type { Trace } from '../../shared/trace/trace';
import type { FetchedTrace, SearchQuery, TraceSource } from '../sources/traceSource';
import { ToolError } from './toolError';

export { ToolError };

export interface TraceToolsOptions {
  /** The endpoints by name; `local` is the default. Called per call: the user may change them any time. */
  endpoints(): ReadonlyMap<string, TraceSource>;
  /** A workspace path for a span's source location, when the front door can find one. */
  locate?(ref: SourceRef, signal?: AbortSignal): Promise<string | undefined>;
  /** Whether `send_spans` is offered at all (the MCP server: only with --allow-send). */
  allowSend: boolean;
  now?(): number;
}

/** How many recent traces `spans_at_code` reads per endpoint (the local store is in memory; others are fetched). */
const RECENT_LOCAL = 200;
const RECENT_REMOTE = 20;
const TRACE_CACHE = 4;
/** A linked trace is reused this long by the next call (get_trace then get_span), then fetched again: spans keep arriving. */
const CACHE_MS = 5000;

export class TraceTools {
  private cache: Array<{ key: string; at: number; trace: Trace; incomplete?: string }> = [];

  constructor(private readonly options: TraceToolsOptions) {}

  /** The tools this front door offers. */
  names(): ToolName[] {
    return ['search_traces', 'get_trace', 'get_span', 'spans_at_code', 'compare_traces', ...(this.options.allowSend ? (['send_spans'] as const) : [])];
  }

  async call(name: string, rawInput: unknown, signal?: AbortSignal): Promise<ToolAnswer> {
    const tool = toolDefinition(name);
    if (!tool || !this.names().includes(tool.name)) throw new ToolError(`There is no tool ${quote(name, 60)} here. Tools: ${this.names().join(', ')}.`);
    let input: Record<string, unknown>;
    try {
      input = validateInput(tool, rawInput);
    } catch (e) {
      if (e instanceof ToolInputError) throw new ToolError(e.message);
      throw e;
    }
    // Where the data lives in another process that can run the tool itself (the VS Code window that owns
    // the local receiver), it does: a summary crosses the wire instead of every span of the trace.
    if (tool.readOnly) {
      const sources = [input.endpoint, ...(tool.name === 'compare_traces' ? [input.endpoint_b ?? input.endpoint] : [])].map((e) => this.endpoint(e));
      const { name: where, source } = sources[0];
      if (source.runTool && sources.every((s) => s.source === source)) {
        const answer = await this.backend(where, () => source.runTool!(tool.name, input, signal));
        if (answer) return answer;
      }
    }
    switch (tool.name) {
      case 'search_traces':
        return this.searchTraces(input, signal);
      case 'get_trace':
        return this.getTrace(input, signal);
      case 'get_span':
        return this.getSpan(input, signal);
      case 'spans_at_code':
        return this.spansAtCode(input, signal);
      case 'compare_traces':
        return this.compare(input, signal);
      case 'send_spans':
        return this.send(input, signal);
    }
  }

  private endpoint(name: unknown): { name: string; source: TraceSource } {
    const wanted = typeof name === 'string' && name ? name : 'local';
    const all = this.options.endpoints();
    const source = all.get(wanted) ?? [...all.values()].find((s) => s.label === wanted || s.id === wanted);
    if (!source) throw new ToolError(`No endpoint ${quote(wanted, 100)}. Endpoints: ${[...all.keys()].map((k) => quote(k, 100)).join(', ') || 'none'}.`);
    return { name: wanted, source };
  }

  private async searchTraces(input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer> {
    const { name, source } = this.endpoint(input.endpoint);
    const limit = (input.limit as number | undefined) ?? 20;
    let lookbackMs: number | undefined;
    if (typeof input.since === 'string') {
      const us = parseDurationInput(input.since);
      if (us === undefined || us <= 0) throw new ToolError(`search_traces: "since" must be a duration such as "15m", "2h" or "7d", not ${quote(input.since, 20)}`);
      lookbackMs = us / 1000;
    }
    const errorsOnly = input.errors_only === true;
    const query: SearchQuery = {
      service: input.service as string | undefined,
      operation: input.operation as string | undefined,
      tags: input.attributes as Record<string, string> | undefined,
      minDurationUs: typeof input.min_duration_ms === 'number' ? input.min_duration_ms * 1000 : undefined,
      lookbackMs: lookbackMs ?? (source.kind === 'local' ? undefined : 60 * 60 * 1000),
      // Errors are filtered here, from each trace's count: ask for more so a page of them remains.
      limit: errorsOnly ? Math.min(1000, limit * 5) : limit,
    };
    const rows = await this.backend(name, () => source.listTraces(query, signal));
    let shown = rows;
    let note: string | undefined;
    if (errorsOnly) {
      const unknown = rows.filter((r) => r.missing?.includes('errorCount')).length;
      shown = rows.filter((r) => !r.missing?.includes('errorCount') && r.errorCount > 0);
      if (unknown) note = `${unknown} trace${unknown === 1 ? '' : 's'} whose error count the endpoint did not report ${unknown === 1 ? 'was' : 'were'} left out.`;
    }
    return searchAnswer(shown.slice(0, limit), { endpoint: name, nowMs: this.now(), note });
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async backend<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ToolError) throw e;
      if ((e as Error).name === 'AbortError') throw e;
      throw new ToolError(`Endpoint ${quote(endpoint, 100)} failed: ${(e as Error).message}`);
    }
  }

  /** The linked trace, from the cache when it was read a moment ago. */
  private async trace(endpoint: unknown, rawId: unknown, signal?: AbortSignal): Promise<{ name: string; trace: Trace; incomplete?: string }> {
    const { name, source } = this.endpoint(endpoint);
    const id = normalizeTraceId(String(rawId));
    if (!id) throw new ToolError(`${quote(String(rawId), 64)} is not a trace id: 32 hex digits (or 16).`);
    const key = `${name}\u0000${id}`;
    const now = Date.now();
    const hit = this.cache.find((c) => c.key === key && now - c.at < CACHE_MS);
    if (hit) return { name, trace: hit.trace, incomplete: hit.incomplete };
    const fetched: FetchedTrace | undefined = await this.backend(name, async () => (source.fetchTrace ? source.fetchTrace(id, signal) : source.getTrace(id, signal).then((spans) => (spans ? { spans } : undefined))));
    if (!fetched?.spans.length) throw new ToolError(`Endpoint ${quote(name, 100)} has no trace ${id}. search_traces lists the traces it has.`);
    const trace = linkTrace(fetched.spans);
    this.cache = [{ key, at: now, trace, incomplete: fetched.incomplete }, ...this.cache.filter((c) => c.key !== key)].slice(0, TRACE_CACHE);
    return { name, trace, incomplete: fetched.incomplete };
  }

  /** Workspace paths for the given spans' source locations, looked up before the (synchronous) answer is built. */
  private async locations(spans: readonly Span[], signal?: AbortSignal): Promise<(ref: SourceRef) => string | undefined> {
    const locate = this.options.locate;
    if (!locate) return () => undefined;
    const found = new Map<string, string | undefined>();
    const keyOf = (ref: SourceRef): string => `${ref.path}\u0000${ref.line ?? ''}`;
    await Promise.all(spans.flatMap((s) => sourceRefsOfSpan(s).slice(0, 10)).map(async (ref) => {
      if (found.has(keyOf(ref))) return;
      found.set(keyOf(ref), undefined);
      found.set(keyOf(ref), await locate(ref, signal).catch(() => undefined));
    }));
    return (ref) => found.get(keyOf(ref));
  }

  private async getTrace(input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer> {
    const { name, trace, incomplete } = await this.trace(input.endpoint, input.trace_id, signal);
    const maxTokens = (input.max_tokens as number | undefined) ?? DEFAULT_MAX_TOKENS;
    if (input.detail === 'spans') return spansPage(trace, { endpoint: name, maxTokens, page: input.page as number | undefined, incomplete });
    const failed = trace.spans.filter((s) => errorOf(s) !== undefined);
    return traceDigest(trace, { endpoint: name, maxTokens, incomplete, resolve: await this.locations(failed.slice(0, 200), signal) });
  }

  private async getSpan(input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer> {
    const { name, trace } = await this.trace(input.endpoint, input.trace_id, signal);
    const raw = String(input.span_id);
    const id = normalizeSpanId(raw) ?? raw.toLowerCase();
    // A row's key is the span id, or `id:shared` for a B3 server half: both name the span.
    let row = trace.uid.indexOf(id);
    if (row < 0) row = trace.spans.findIndex((s) => s.spanId === id);
    if (row < 0) throw new ToolError(`Trace ${trace.traceId} has no span ${quote(raw, 64)}. get_trace lists its spans (detail "spans").`);
    return spanDetail(trace, row, { endpoint: name, resolve: await this.locations([trace.spans[row]], signal) });
  }

  private async spansAtCode(input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer> {
    const { name, source } = this.endpoint(input.endpoint);
    const query = { file: input.file as string, line: input.line as number | undefined, function: input.function as string | undefined };
    const limit = (input.limit as number | undefined) ?? 20;
    const local = source.kind === 'local';
    const rows = await this.backend(name, () => source.listTraces({ limit: local ? RECENT_LOCAL : RECENT_REMOTE, lookbackMs: local ? undefined : 60 * 60 * 1000 }, signal));
    // Near lines count only when no span points at the line itself: a stack trace may be a line off,
    // but in a file of short functions the spans of the next lines are other calls.
    let found: SpanAtCode[] = [];
    for (const row of rows) {
      if (found.length >= limit * 5) break;
      signal?.throwIfAborted();
      const spans = await this.backend(name, () => source.getTrace(row.traceId, signal));
      for (const span of spans ?? []) {
        const ref = sourceRefsOfSpan(span).find((r) => refMatches(r, query));
        if (ref) found.push({ endpoint: name, traceId: row.traceId, span, ref });
      }
    }
    const exact = query.line !== undefined ? found.filter((f) => f.ref.line === query.line) : [];
    if (exact.length) found = exact;
    found = found.slice(0, limit);
    const resolve = await this.locations(found.map((f) => f.span), signal);
    return spansAtCodeAnswer(found, query, `Read the ${rows.length} most recent traces of ${quote(name, 100)}.`, resolve);
  }

  private async compare(input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer> {
    const a = await this.trace(input.endpoint, input.trace_a, signal);
    const b = await this.trace(input.endpoint_b ?? input.endpoint, input.trace_b, signal);
    return comparisonAnswer(compareTraces(a.trace, b.trace), { minChangePercent: input.min_change_percent as number | undefined, limit: input.limit as number | undefined });
  }

  /** The spans a send_spans payload holds; the front door shows them to the user before sending. */
  static spansOfPayload(payload: string): Span[] {
    let decoded;
    try {
      decoded = decodeText(payload);
    } catch (e) {
      throw new ToolError(`send_spans: the payload is not spans in a format this reads (OTLP/JSON, Zipkin v2, Jaeger JSON): ${(e as Error).message}`);
    }
    if (!decoded.spans.length) throw new ToolError('send_spans: the payload holds no spans');
    return decoded.spans;
  }

  /** What the user is asked to agree to before send_spans sends: how many spans, of which traces and services, where. */
  static describeSend(input: Record<string, unknown>): string {
    let what: string;
    try {
      const spans = TraceTools.spansOfPayload(String(input.payload ?? ''));
      const traces = [...new Set(spans.map((s) => s.traceId))];
      const services = [...new Set(spans.map((s) => quote(s.service || '?', 60)))];
      what = `${spans.length} span${spans.length === 1 ? '' : 's'} of ${traces.length === 1 ? `trace ${traces[0]}` : `${traces.length} traces`} (service${services.length === 1 ? '' : 's'} ${services.slice(0, 5).join(', ')}${services.length > 5 ? ', …' : ''})`;
    } catch (e) {
      what = `a payload that is not spans (${(e as Error).message.slice(0, 200)}); sending it will fail`;
    }
    const endpoint = typeof input.endpoint === 'string' && input.endpoint ? input.endpoint : 'local';
    return `An agent wants to send ${what} to the endpoint ${quote(endpoint, 100)}${input.restamp === false ? ', with their recorded times' : ', moved to now'}.`;
  }

  private async send(input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer> {
    const { name, source } = this.endpoint(input.endpoint);
    let spans = TraceTools.spansOfPayload(input.payload as string);
    if (input.restamp !== false) spans = restampSpans(spans, this.now() * 1000);
    const result = await this.backend(name, () => source.ingest(spans, signal));
    const traces = [...new Set(spans.map((s) => s.traceId))];
    return {
      text: `Sent ${result.spanCount} span${result.spanCount === 1 ? '' : 's'} to ${quote(name, 100)} (${result.url}, HTTP ${result.status}): trace${traces.length === 1 ? '' : 's'} ${traces.slice(0, 10).join(', ')}.`,
      data: { endpoint: name, url: result.url, status: result.status, spanCount: result.spanCount, traceIds: traces },
    };
  }
}
