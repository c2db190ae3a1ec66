/**
 * Pass 1 of linking: spans reported in pieces become one span. Zipkin instrumentation reports one RPC
 * under one id in several records: the client sends start + `cs`, the collector later gets `cr` and the
 * duration; the server half shares the client's id (B3); and extra tags or annotations may arrive
 * later still in a record with no kind and no timestamp. Rules, after Zipkin's own span merging:
 *
 * - Records with the same id, the same `shared` flag, the same service, and no field or endpoint that
 *   contradicts the other are pieces of one span (a record that contradicts is a true duplicate, left
 *   for the indexer to rename; several shared server halves on different hosts are distinct deliveries).
 * - A SERVER record sharing its id with a CLIENT record is the shared server half even without the flag.
 * - A record without kind or time is a piece of the half that ran in its process (compared by address
 *   and port, then service: see sameProcess). When both halves match equally, the data does not decide:
 *   it is merged as before (into a record of its own service and flag, if any) and the span says so.
 *
 * Every merged span carries a warning naming the records it was made of, so nothing merged is hidden.
 */
import type { Attribute, Endpoint, Span, SpanEvent } from '../model';
import { hostLabel, processAffinity } from './sameProcess';
import { Warnings } from './warnings';

export interface MergedSpans {
  /** First-seen order; a merged span takes the place of the record it was merged into. */
  spans: Span[];
  /** Warnings by position in `spans`: what was merged, and merges the data did not decide. */
  warnings: Warnings;
}

function sameOrMissing<T>(x: T | undefined, y: T | undefined, empty: T | undefined): boolean {
  return x === y || x === undefined || y === undefined || x === empty || y === empty;
}

function endpointsAgree(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  if (!a || !b) return true;
  return sameOrMissing(a.serviceName, b.serviceName, '') && sameOrMissing(a.ipv4, b.ipv4, '') && sameOrMissing(a.ipv6, b.ipv6, '') && sameOrMissing(a.port, b.port, undefined);
}

/** Two records of one span: nothing in one contradicts the other. */
function compatible(a: Span, b: Span): boolean {
  return (
    sameOrMissing(a.name, b.name, '') &&
    sameOrMissing(a.parentId, b.parentId, undefined) &&
    (a.kind === b.kind || a.kind === 'unspecified' || b.kind === 'unspecified') &&
    (a.startUs === b.startUs || Number.isNaN(a.startUs) || Number.isNaN(b.startUs)) &&
    (a.durationUs === b.durationUs || Number.isNaN(a.durationUs) || Number.isNaN(b.durationUs)) &&
    endpointsAgree(a.localEndpoint, b.localEndpoint)
  );
}

function unionAttributes(a: readonly Attribute[], b: readonly Attribute[]): readonly Attribute[] {
  if (!b.length) return a;
  if (!a.length) return b;
  const seen = new Set(a.map((x) => x.key));
  return [...a, ...b.filter((x) => !seen.has(x.key))];
}

function unionEvents(a: readonly SpanEvent[], b: readonly SpanEvent[]): SpanEvent[] {
  const seen = new Set(a.map((e) => `${e.timeUs}\u0000${e.name}`));
  return [...a, ...b.filter((e) => !seen.has(`${e.timeUs}\u0000${e.name}`))].sort((x, y) => x.timeUs - y.timeUs);
}

function mergeEndpoints(a: Endpoint | undefined, b: Endpoint | undefined): Endpoint | undefined {
  if (!a || !b) return a ?? b;
  return { ...b, ...Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined && v !== '')) };
}

/** Earliest start; the longest duration; the first record's fields where both have one. */
function mergeInto(a: Span, b: Span): Span {
  const starts = [a.startUs, b.startUs].filter((t) => !Number.isNaN(t));
  const durations = [a.durationUs, b.durationUs].filter((t) => !Number.isNaN(t));
  const m: Span = {
    ...a,
    name: a.name || b.name,
    kind: a.kind !== 'unspecified' ? a.kind : b.kind,
    startUs: starts.length ? Math.min(...starts) : NaN,
    durationUs: durations.length ? Math.max(...durations) : NaN,
    attributes: unionAttributes(a.attributes, b.attributes),
    events: unionEvents(a.events, b.events),
    links: a.links.length ? a.links : b.links,
    status: a.status.code !== 'unset' ? a.status : b.status,
  };
  if (!m.parentId && b.parentId) m.parentId = b.parentId;
  const local = mergeEndpoints(a.localEndpoint, b.localEndpoint);
  if (local) m.localEndpoint = local;
  const remote = mergeEndpoints(a.remoteEndpoint, b.remoteEndpoint);
  if (remote) m.remoteEndpoint = remote;
  if (!m.service && b.service) m.service = b.service;
  if (b.debug) m.debug = true;
  return m;
}

/** A record without kind and without a timestamp: extra tags or annotations sent after the span. */
function isLoosePiece(s: Span): boolean {
  return s.kind === 'unspecified' && !s.shared && Number.isNaN(s.startUs);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One record, for the warning that lists what a span was merged from. */
export function describePiece(s: Span): string {
  const what = s.kind !== 'unspecified' ? `${s.shared ? 'shared ' : ''}${s.kind.toUpperCase()} record` : Number.isNaN(s.startUs) ? 'record without kind or time' : 'record without kind';
  const has: string[] = [];
  if (!Number.isNaN(s.startUs)) has.push('start');
  if (!Number.isNaN(s.durationUs)) has.push('duration');
  if (s.attributes.length) has.push(plural(s.attributes.length, 'tag'));
  if (s.events.length) has.push(plural(s.events.length, 'annotation'));
  return `${what} from ${hostLabel(s)}${has.length ? ` (${has.join(', ')})` : ''}`;
}

/** Positions of the records of each span id that occurs more than once, in first-seen order. */
function repeatedIds(spans: readonly Span[]): number[][] {
  const byId = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i++) {
    const list = byId.get(spans[i].spanId);
    if (list) list.push(i);
    else byId.set(spans[i].spanId, [i]);
  }
  return [...byId.values()].filter((l) => l.length > 1);
}

/** Merge the records of one repeated span id, in place in `out` (a merged-away record becomes null). */
function mergeGroup(group: readonly number[], out: (Span | null)[], pieces: Map<number, Span[]>, warn: Warnings): void {
  const join = (into: number, from: number): void => {
    const list = pieces.get(into) ?? [out[into]!];
    list.push(...(pieces.get(from) ?? [out[from]!]));
    pieces.set(into, list);
    pieces.delete(from);
    out[into] = mergeInto(out[into]!, out[from]!);
    out[from] = null;
  };
  const sameKey = (a: Span, b: Span): boolean => !!a.shared === !!b.shared && a.service === b.service && compatible(a, b);

  // Records with a kind or a time: pieces of one half when they agree in everything.
  const kept: number[] = [];
  const loose: number[] = [];
  for (const i of group) {
    if (isLoosePiece(out[i]!)) {
      loose.push(i);
      continue;
    }
    const into = kept.find((k) => sameKey(out[k]!, out[i]!));
    if (into === undefined) kept.push(i);
    else join(into, i);
  }
  repairSharedHalves(kept, out);

  // Records without kind or time join the half that ran in their process.
  for (const i of loose) {
    const s = out[i]!;
    const scores = kept.map((k) => processAffinity(s, out[k]!));
    const best = Math.max(...scores, 0);
    const winners = kept.filter((_, j) => scores[j] === best);
    if (best > 0 && winners.length === 1) {
      join(winners[0], i);
      continue;
    }
    // The data does not decide: as before, a record of the same flag and service takes it, if any.
    const into = kept.find((k) => sameKey(out[k]!, s));
    const halves = kept.filter((k) => out[k]!.kind === 'client' || out[k]!.shared);
    if (into !== undefined) join(into, i);
    else kept.push(i);
    if (halves.length > 1) {
      const at = into ?? i;
      warn.add(at, {
        code: 'ambiguous',
        message: `a record without kind or time under shared id ${s.spanId} could belong to either half (its address and service match both or neither); ${into !== undefined ? 'merged into this one, of its own service' : 'kept as a span of its own'}`,
      });
    }
  }
}

/**
 * B3 gives the client and the server half of an RPC one span id. A SERVER record sharing its id with a
 * CLIENT record is the shared half even without the flag (Zipkin Lens does the same), and a shared half
 * without a parent gets its client's parent.
 */
function repairSharedHalves(kept: readonly number[], out: (Span | null)[]): void {
  const client = kept.map((k) => out[k]!).find((s) => s.kind === 'client' && !s.shared);
  if (!client) return;
  for (const k of kept) {
    const s = out[k]!;
    if (s.kind !== 'server' || s === client || (s.shared && s.parentId)) continue;
    const fixed: Span = { ...s, shared: true };
    if (!fixed.parentId && client.parentId) fixed.parentId = client.parentId;
    out[k] = fixed;
  }
}

/**
 * Merge pieces and repair B3 shared halves, keeping first-seen order. Spans whose id occurs once are
 * passed through as they are; only merged or repaired spans are new objects.
 */
export function mergePieces(spans: readonly Span[]): MergedSpans {
  const out: (Span | null)[] = spans.slice();
  const pieces = new Map<number, Span[]>();
  const before = new Warnings();
  for (const group of repeatedIds(spans)) mergeGroup(group, out, pieces, before);
  for (const [at, list] of pieces) {
    before.add(at, { code: 'merged', message: `reported in ${list.length} pieces, shown as one: ${list.map(describePiece).join('; ')}` });
  }
  // Compact, carrying the warnings to the new positions.
  const merged: Span[] = [];
  const warnings = new Warnings();
  for (let i = 0; i < out.length; i++) {
    const s = out[i];
    if (!s) continue;
    for (const w of before.byNode.get(i) ?? []) warnings.add(merged.length, w);
    merged.push(s);
  }
  return { spans: merged, warnings };
}
