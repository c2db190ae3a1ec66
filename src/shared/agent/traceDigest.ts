/**
 * What the agent tools answer, built from the one trace model: a trace summarized within a token
 * budget (its critical path with self times, the spans where the time went, every error with its
 * source location, the linker's repairs), a page of spans, one span in full, a list of traces, spans
 * at a code location, a comparison. Each answer is text for the model (span data quoted, see dataText)
 * and the same content as data (MCP's structuredContent). Times in the data are milliseconds.
 */
import { attr, attrText, type Span } from '../model';
import { sourceRefsOfSpan, type SourceRef } from '../source/spanSources';
import type { TraceSummaryRow } from '../store/traceStore';
import { formatDuration } from '../time';
import { changeOf, isChanged, type Comparison } from '../trace/compare';
import { criticalPath } from '../trace/criticalPath';
import { selfTimeOf, selfTimes } from '../trace/selfTime';
import { traceWarnings, type Trace } from '../trace/trace';
import { cleanData, cleanDeep, DATA_NOTICE, estimateTokens, quote } from './dataText';

export interface ToolAnswer {
  text: string;
  data: Record<string, unknown>;
}

export const DEFAULT_MAX_TOKENS = 2000;
const ms = (us: number): number => Math.round(us) / 1000;
/** Names and services in lists: shorter than the default cap, the id says which span it is. */
const NAME_CHARS = 80;

/** A workspace path for a source reference, when the front door can resolve one (VS Code can). */
export type ResolveSource = (ref: SourceRef) => string | undefined;

function where(ref: SourceRef | undefined, resolve?: ResolveSource): string | undefined {
  if (!ref) return undefined;
  const path = resolve?.(ref) ?? ref.path;
  return `${path}${ref.line ? `:${ref.line}` : ''}`;
}

/** Why a span failed, from its status, its exception events and Zipkin's error tag. */
export function errorOf(s: Span): { message?: string; exceptionType?: string; exceptionMessage?: string } | undefined {
  const exception = s.events.find((e) => e.name === 'exception' || attr(e.attributes, 'exception.type') !== undefined);
  const type = exception ? attr(exception.attributes, 'exception.type') : undefined;
  const text = exception ? attr(exception.attributes, 'exception.message') : undefined;
  const tag = attr(s.attributes, 'error');
  if (s.status.code !== 'error' && !exception) return undefined;
  return {
    message: s.status.message || (tag !== undefined && tag !== true && tag !== 'true' ? attrText(tag) : undefined),
    exceptionType: type !== undefined ? attrText(type) : undefined,
    exceptionMessage: text !== undefined ? attrText(text) : undefined,
  };
}

interface Item {
  line: string;
  data: Record<string, unknown>;
}

interface Section {
  key: string;
  title: string;
  items: Item[];
  /** How many items the first pass takes, so one long section cannot starve the others. */
  firstPass: number;
}

/**
 * Fit sections into a budget: the head always; then each section up to its first-pass share, in
 * order; then the rest of each, in order, while the budget lasts. Says what was left out.
 */
function fit(head: string[], sections: Section[], maxTokens: number, more: string): { text: string; kept: Record<string, Item[]>; omitted: Record<string, number> } {
  const kept: Record<string, Item[]> = Object.fromEntries(sections.map((s) => [s.key, [] as Item[]]));
  // The closing line saying what was left out costs about this much; keep room for it.
  const reserve = 80;
  let used = estimateTokens(head.join('\n')) + sections.length * 10;
  const tryAdd = (s: Section, item: Item): boolean => {
    const cost = estimateTokens(item.line) + 1;
    if (used + cost > maxTokens - reserve) return false;
    used += cost;
    kept[s.key].push(item);
    return true;
  };
  for (const s of sections) for (const item of s.items.slice(0, s.firstPass)) if (!tryAdd(s, item)) break;
  for (const s of sections) for (const item of s.items.slice(kept[s.key].length)) if (!tryAdd(s, item)) break;
  const omitted: Record<string, number> = {};
  const lines = [...head];
  for (const s of sections) {
    if (!s.items.length) continue;
    const k = kept[s.key];
    const left = s.items.length - k.length;
    if (left) omitted[s.key] = left;
    lines.push(`${s.title}${left ? ` (${k.length} of ${s.items.length})` : ''}:`);
    for (const item of k) lines.push(item.line);
  }
  const leftOut = Object.entries(omitted);
  if (leftOut.length) lines.push(`Left out to stay within ${maxTokens} tokens: ${leftOut.map(([k, n]) => `${n} ${k.replace(/([A-Z])/g, ' $1').toLowerCase()}`).join(', ')}. ${more}`);
  return { text: lines.join('\n'), kept, omitted };
}

function spanRef(trace: Trace, r: number): string {
  const s = trace.spans[r];
  return `span ${trace.uid[r]} ${quote(s.service, NAME_CHARS)} ${quote(s.name, NAME_CHARS)}`;
}

function spanData(trace: Trace, r: number): Record<string, unknown> {
  const s = trace.spans[r];
  return { spanId: trace.uid[r], service: cleanData(s.service, NAME_CHARS), name: cleanData(s.name, NAME_CHARS) };
}

export interface DigestOptions {
  endpoint: string;
  maxTokens?: number;
  /** The backend returned part of the trace (Tempo's partial answer): said first. */
  incomplete?: string;
  resolve?: ResolveSource;
}

/** `get_trace`: the trace summarized within `maxTokens`. */
export function traceDigest(trace: Trace, options: DigestOptions): ToolAnswer {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const n = trace.spans.length;
  const self = selfTimes(trace);
  const roots: number[] = [];
  for (let r = 0; r < n; r = trace.subtreeEnd[r]) roots.push(r);
  const root = roots.reduce((best, r) => (trace.duration[r] > trace.duration[best] ? r : best), roots[0] ?? 0);
  const durationUs = trace.endUs - trace.startUs;

  // The critical path, one entry per span in the order the request reached it, with the time it holds on the path.
  const onPath = new Map<number, number>();
  for (const seg of criticalPath(trace)) onPath.set(seg.row, (onPath.get(seg.row) ?? 0) + seg.endUs - seg.startUs);
  const critical: Item[] = [...onPath.keys()].sort((a, b) => a - b).map((r, i) => ({
    line: `  ${i + 1}. ${spanRef(trace, r)} ${formatDuration(trace.duration[r])}, self ${formatDuration(self[r])}, ${formatDuration(onPath.get(r)!)} on the path`,
    data: { ...spanData(trace, r), durationMs: ms(trace.duration[r]), selfMs: ms(self[r]), onPathMs: ms(onPath.get(r)!) },
  }));

  const bySelf = Array.from({ length: n }, (_, r) => r).sort((a, b) => self[b] - self[a] || a - b).slice(0, 50);
  const slowest: Item[] = bySelf.map((r) => ({
    line: `  - ${spanRef(trace, r)} self ${formatDuration(self[r])} of ${formatDuration(trace.duration[r])}${onPath.has(r) ? ', on the critical path' : ''}`,
    data: { ...spanData(trace, r), selfMs: ms(self[r]), durationMs: ms(trace.duration[r]), critical: onPath.has(r) },
  }));

  const errors: Item[] = [];
  for (let r = 0; r < n; r++) {
    const e = errorOf(trace.spans[r]);
    if (!e) continue;
    const source = where(sourceRefsOfSpan(trace.spans[r])[0], options.resolve);
    const parts = [
      e.exceptionType !== undefined ? `exception ${quote(e.exceptionType, NAME_CHARS)}` : '',
      e.exceptionMessage !== undefined ? `message ${quote(e.exceptionMessage)}` : e.message !== undefined ? `message ${quote(e.message)}` : '',
      source ? `at ${quote(source, 300)}` : '',
    ].filter(Boolean);
    errors.push({
      line: `  - ${spanRef(trace, r)}${parts.length ? ': ' + parts.join(', ') : ''}`,
      data: cleanDeep({ ...spanData(trace, r), message: e.exceptionMessage ?? e.message, exceptionType: e.exceptionType, source }),
    });
  }

  const warnings: Item[] = traceWarnings(trace).map((w) => ({ line: `  - ${quote(w, 300)}`, data: { warning: cleanData(w, 300) } }));

  const rootSpan = trace.spans[root];
  const head = [
    `Trace ${trace.traceId} from ${quote(options.endpoint, 100)}: root ${n ? spanRef(trace, root) : '(no spans)'}, ${formatDuration(durationUs)}, ${n} span${n === 1 ? '' : 's'}, ${trace.services.length} service${trace.services.length === 1 ? '' : 's'} (${trace.services.slice(0, 20).map((s) => quote(s, NAME_CHARS)).join(', ')}${trace.services.length > 20 ? ', …' : ''}), ${trace.errorCount} error${trace.errorCount === 1 ? '' : 's'}.`,
    DATA_NOTICE,
  ];
  if (options.incomplete) head.splice(1, 0, `Incomplete: the endpoint returned only part of this trace (${quote(options.incomplete)}).`);
  const sections: Section[] = [
    { key: 'criticalPath', title: 'Critical path (what the end of the request waited on, in order)', items: critical, firstPass: 15 },
    { key: 'errors', title: 'Errors', items: errors, firstPass: 10 },
    { key: 'slowest', title: 'Where the time went (most self time: time not spent in child spans)', items: slowest, firstPass: 8 },
    { key: 'repairs', title: 'Repairs the linker made (missing parents, clock skew, duplicates)', items: warnings, firstPass: 5 },
  ];
  const { text, kept, omitted } = fit(head, sections, maxTokens, 'Raise max_tokens, use get_span for one span, or detail "spans" to page through all spans.');
  return {
    text,
    data: {
      traceId: trace.traceId,
      endpoint: cleanData(options.endpoint, 100),
      ...(options.incomplete ? { incomplete: cleanData(options.incomplete) } : {}),
      root: n ? spanData(trace, root) : null,
      rootKind: n ? rootSpan.kind : null,
      durationMs: ms(durationUs),
      spanCount: n,
      services: trace.services.slice(0, 20).map((s) => cleanData(s, NAME_CHARS)),
      errorCount: trace.errorCount,
      criticalPath: kept.criticalPath.map((i) => i.data),
      errors: kept.errors.map((i) => i.data),
      slowest: kept.slowest.map((i) => i.data),
      repairs: kept.repairs.map((i) => i.data.warning),
      omitted,
      notice: DATA_NOTICE,
    },
  };
}

/** Lines per page of `detail: "spans"` for a budget: each line is capped, so a page never exceeds it. */
export function spansPerPage(maxTokens: number): number {
  // A line: indent, id, two quoted names of ≤ 60 characters (escapes can double them), times: ≤ 320 characters.
  return Math.max(5, Math.floor((maxTokens - 150) / 80));
}

/** `get_trace` with `detail: "spans"`: one page of spans in tree order, indented by depth. */
export function spansPage(trace: Trace, options: DigestOptions & { page?: number }): ToolAnswer {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const size = spansPerPage(maxTokens);
  const n = trace.spans.length;
  const pages = Math.max(1, Math.ceil(n / size));
  const page = Math.min(Math.max(1, options.page ?? 1), pages);
  const from = (page - 1) * size;
  const to = Math.min(n, from + size);
  const lines = [`Trace ${trace.traceId}: spans ${from + 1}–${to} of ${n} in tree order (page ${page} of ${pages}; depth shown by indent).`, DATA_NOTICE];
  const spans: Array<Record<string, unknown>> = [];
  for (let r = from; r < to; r++) {
    const s = trace.spans[r];
    const self = selfTimeOf(trace, r); // the page's rows only, not the whole trace's
    const failed = s.status.code === 'error';
    lines.push(`${'  '.repeat(Math.min(trace.depth[r], 20))}${trace.uid[r]} ${quote(s.service, 60)} ${quote(s.name, 60)} +${formatDuration(trace.start[r] - trace.startUs)} ${formatDuration(trace.duration[r])} (self ${formatDuration(self)})${failed ? ' ERROR' : ''}`);
    spans.push({ spanId: trace.uid[r], parentRow: trace.parent[r], depth: trace.depth[r], service: cleanData(s.service, 60), name: cleanData(s.name, 60), offsetMs: ms(trace.start[r] - trace.startUs), durationMs: ms(trace.duration[r]), selfMs: ms(self), error: failed });
  }
  if (page < pages) lines.push(`More: page ${page + 1} of ${pages}.`);
  return { text: lines.join('\n'), data: { traceId: trace.traceId, page, pages, spanCount: n, spans, notice: DATA_NOTICE } };
}

/** `get_span`: one span in full, with long values capped and lists cut where they would flood the answer. */
export function spanDetail(trace: Trace, row: number, options: { endpoint: string; resolve?: ResolveSource }): ToolAnswer {
  const s = trace.spans[row];
  const self = selfTimeOf(trace, row);
  const lines = [
    `Span ${trace.uid[row]} of trace ${trace.traceId} from ${quote(options.endpoint, 100)}.`,
    DATA_NOTICE,
    `Service ${quote(s.service)}, name ${quote(s.name, 500)}, kind ${s.kind}${trace.parent[row] >= 0 ? `, parent span ${trace.uid[trace.parent[row]]}` : ', a root'}.`,
    `Starts ${formatDuration(trace.start[row] - trace.startUs)} into the trace, lasts ${formatDuration(trace.duration[row])}, self time ${formatDuration(self)}, ${trace.subtreeEnd[row] - row - 1} descendant spans.`,
    `Status: ${s.status.code}${s.status.message ? ` ${quote(s.status.message, 1000)}` : ''}.`,
  ];
  const list = (title: string, entries: string[], max: number): void => {
    if (!entries.length) return;
    lines.push(`${title}${entries.length > max ? ` (first ${max} of ${entries.length})` : ''}:`);
    for (const e of entries.slice(0, max)) lines.push(`  ${e}`);
  };
  const kv = (a: { key: string; value: unknown }): string => `${quote(a.key, 100)} = ${quote(attrText(a.value as never), 500)}`;
  list('Attributes', s.attributes.map(kv), 100);
  list('Events', s.events.map((e) => `+${formatDuration(e.timeUs - s.startUs)} ${quote(e.name, 100)}${e.attributes.length ? ' ' + e.attributes.map((a) => `${quote(a.key, 100)} = ${quote(attrText(a.value), a.key.endsWith('stacktrace') ? 4000 : 500)}`).join(', ') : ''}`), 30);
  list('Links', s.links.map((l) => `trace ${quote(l.traceId, 64)} span ${quote(l.spanId, 32)}`), 20);
  const refs = sourceRefsOfSpan(s);
  list('Source locations (first is the span\'s own)', refs.map((r) => quote(where(r, options.resolve), 300)), 10);
  list('Resource', s.resource.map(kv), 40);
  const warnings = trace.warnings.get(row) ?? [];
  list('Repairs', warnings.map((w) => quote(w.message, 300)), 10);
  return {
    text: lines.join('\n'),
    data: cleanDeep({
      traceId: trace.traceId,
      spanId: trace.uid[row],
      parentSpanId: trace.parent[row] >= 0 ? trace.uid[trace.parent[row]] : null,
      service: s.service,
      name: s.name,
      kind: s.kind,
      offsetMs: ms(trace.start[row] - trace.startUs),
      durationMs: ms(trace.duration[row]),
      selfMs: ms(self),
      status: { code: s.status.code, message: s.status.message },
      attributes: Object.fromEntries(s.attributes.slice(0, 100).map((a) => [a.key, attrText(a.value)])),
      events: s.events.slice(0, 30).map((e) => ({ offsetMs: ms(e.timeUs - s.startUs), name: e.name, attributes: Object.fromEntries(e.attributes.map((a) => [a.key, attrText(a.value)])) })),
      links: s.links.slice(0, 20).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
      sources: refs.slice(0, 10).map((r) => where(r, options.resolve)),
      resource: Object.fromEntries(s.resource.slice(0, 40).map((a) => [a.key, attrText(a.value)])),
      repairs: warnings.map((w) => w.message),
      notice: DATA_NOTICE,
    }, 4000),
  };
}

/** `search_traces`: one line per trace, newest first. */
export function searchAnswer(rows: readonly TraceSummaryRow[], options: { endpoint: string; nowMs: number; note?: string }): ToolAnswer {
  const age = (r: TraceSummaryRow): string => {
    const s = Math.max(0, Math.round((options.nowMs - r.startUs / 1000) / 1000));
    return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} d ago`;
  };
  const unknown = (r: TraceSummaryRow, f: NonNullable<TraceSummaryRow['missing']>[number]): boolean => !!r.missing?.includes(f);
  const lines = [`${rows.length} trace${rows.length === 1 ? '' : 's'} from ${quote(options.endpoint, 100)}, newest first.${options.note ? ' ' + options.note : ''}`, DATA_NOTICE];
  for (const r of rows) {
    lines.push(`- ${r.traceId} root ${quote(r.rootService, NAME_CHARS)} ${quote(r.rootName, NAME_CHARS)}, ${unknown(r, 'durationUs') ? 'duration unknown' : formatDuration(r.durationUs)}, ${unknown(r, 'spanCount') ? '? spans' : `${r.spanCount} spans`}, ${unknown(r, 'errorCount') ? 'errors unknown' : `${r.errorCount} error${r.errorCount === 1 ? '' : 's'}`}, started ${age(r)}`);
  }
  if (!rows.length) lines.push('No traces matched. Widen the time range (since), drop a filter, or check the endpoint.');
  return {
    text: lines.join('\n'),
    data: {
      endpoint: cleanData(options.endpoint, 100),
      traces: rows.map((r) => cleanDeep({
        traceId: r.traceId,
        rootService: r.rootService,
        rootName: r.rootName,
        durationMs: unknown(r, 'durationUs') ? null : ms(r.durationUs),
        spanCount: unknown(r, 'spanCount') ? null : r.spanCount,
        errorCount: unknown(r, 'errorCount') ? null : r.errorCount,
        startedAt: new Date(r.startUs / 1000).toISOString(),
      }, NAME_CHARS)),
      notice: DATA_NOTICE,
    },
  };
}

export interface SpanAtCode {
  endpoint: string;
  traceId: string;
  span: Span;
  ref: SourceRef;
}

/** The file's name or path suffix matches, and the line is within `slack` lines when one is asked for. */
export function refMatches(ref: SourceRef, query: { file: string; line?: number; function?: string }, slack = 3): boolean {
  const norm = (p: string): string => p.replace(/\\/g, '/').replace(/^\.\//, '').toLowerCase();
  const path = norm(ref.path);
  const want = norm(query.file);
  // "checkout.py" matches ".../app/checkout.py", "app/checkout.py" matches "/srv/app/checkout.py"; "out.py" does not.
  if (!(path === want || path.endsWith('/' + want) || want.endsWith('/' + path))) return false;
  if (query.line !== undefined && (ref.line === undefined || Math.abs(ref.line - query.line) > slack)) return false;
  if (query.function) {
    const fn = ref.label.includes(' — ') ? ref.label.split(' — ')[0] : '';
    if (!fn.toLowerCase().split(/[.:#]/).includes(query.function.toLowerCase()) && fn.toLowerCase() !== query.function.toLowerCase()) return false;
  }
  return true;
}

/** `spans_at_code`: spans that point at the place, newest trace first. */
export function spansAtCodeAnswer(found: readonly SpanAtCode[], query: { file: string; line?: number; function?: string }, note?: string, resolve?: ResolveSource): ToolAnswer {
  const place = `${query.file}${query.line ? `:${query.line}` : ''}${query.function ? ` (function ${query.function})` : ''}`;
  const lines = [`${found.length} span${found.length === 1 ? '' : 's'} point at ${quote(place, 300)}.${note ? ' ' + note : ''}`, DATA_NOTICE];
  for (const f of found) {
    const e = errorOf(f.span);
    lines.push(`- trace ${f.traceId} span ${f.span.spanId} ${quote(f.span.service, NAME_CHARS)} ${quote(f.span.name, NAME_CHARS)} ${formatDuration(f.span.durationUs)}${e ? `, failed${e.exceptionType ? ` with ${quote(e.exceptionType, NAME_CHARS)}` : ''}${(e.exceptionMessage ?? e.message) ? ` ${quote(e.exceptionMessage ?? e.message)}` : ''}` : ''}, at ${quote(where(f.ref, resolve), 300)}${f.endpoint !== 'local' ? ` (${quote(f.endpoint, 100)})` : ''}`);
  }
  if (!found.length) lines.push('No recent span points there. Spans point at code through code.* attributes or exception stack traces.');
  return {
    text: lines.join('\n'),
    data: {
      query: cleanDeep(query, 300),
      spans: found.map((f) => cleanDeep({ endpoint: f.endpoint, traceId: f.traceId, spanId: f.span.spanId, service: f.span.service, name: f.span.name, durationMs: ms(f.span.durationUs), error: !!errorOf(f.span), location: where(f.ref, resolve) }, 300)),
      notice: DATA_NOTICE,
    },
  };
}

/** `compare_traces`: the changed operations, biggest change first. */
export function comparisonAnswer(c: Comparison, options: { minChangePercent?: number; limit?: number }): ToolAnswer {
  const min = options.minChangePercent ?? 10;
  const limit = options.limit ?? 30;
  const changed = c.nodes.filter((n) => isChanged(n, { minRelative: min / 100 }));
  const shown = changed.slice(0, limit);
  const pathText = (path: string[]): string => path.slice(-3).map((p) => quote(p, NAME_CHARS)).join(' > ');
  const lines = [
    `A ${c.a.traceId}: ${formatDuration(c.a.durationUs)}, ${c.a.spanCount} spans. B ${c.b.traceId}: ${formatDuration(c.b.durationUs)}, ${c.b.spanCount} spans (${c.b.durationUs >= c.a.durationUs ? '+' : '−'}${formatDuration(Math.abs(c.b.durationUs - c.a.durationUs))}).`,
    DATA_NOTICE,
    `${changed.length} of ${c.nodes.length} operations changed by ${min}% or more, added or removed${changed.length > shown.length ? `; the ${shown.length} biggest changes` : ''} (operation path, last 3 levels):`,
  ];
  for (const n of shown) {
    const what = n.onlyIn === 'b' ? 'added in B' : n.onlyIn === 'a' ? 'only in A (removed)' : n.durationB > n.durationA ? 'slower' : n.durationB < n.durationA ? 'faster' : 'changed';
    lines.push(`- ${what}: ${pathText(n.path)}: ${formatDuration(n.durationA)} → ${formatDuration(n.durationB)}, count ${n.countA} → ${n.countB}, self ${formatDuration(n.selfA)} → ${formatDuration(n.selfB)}${n.errorsA || n.errorsB ? `, errors ${n.errorsA} → ${n.errorsB}` : ''}${n.criticalB ? ', on B\'s critical path' : ''}`);
  }
  return {
    text: lines.join('\n'),
    data: {
      a: c.a,
      b: c.b,
      changedCount: changed.length,
      operationCount: c.nodes.length,
      changes: shown.map((n) => cleanDeep({ path: n.path, change: n.onlyIn === 'b' ? 'added' : n.onlyIn === 'a' ? 'removed' : n.durationB > n.durationA ? 'slower' : 'faster', durationMsA: ms(n.durationA), durationMsB: ms(n.durationB), countA: n.countA, countB: n.countB, selfMsA: ms(n.selfA), selfMsB: ms(n.selfB), errorsA: n.errorsA, errorsB: n.errorsB, changeMs: ms(changeOf(n)) }, NAME_CHARS)),
      notice: DATA_NOTICE,
    },
  };
}
