/**
 * Spans reported in pieces (Zipkin: the client sends start + `cs`, the collector later gets `cr` and
 * the duration under the same id) are merged into one before linking. Pieces are spans of one trace
 * with the same id, the same `shared` flag and the same service whose fields do not contradict each
 * other; a same-id span that does contradict is a true duplicate and is left for the indexer to rename.
 */
import type { Attribute, Span, SpanEvent } from '../model';

function compatible(a: Span, b: Span): boolean {
  const same = <T>(x: T | undefined, y: T | undefined, empty: T): boolean => x === y || x === undefined || y === undefined || x === empty || y === empty;
  return (
    same(a.name, b.name, '') &&
    same(a.parentId, b.parentId, undefined) &&
    (a.kind === b.kind || a.kind === 'unspecified' || b.kind === 'unspecified') &&
    (a.startUs === b.startUs || Number.isNaN(a.startUs) || Number.isNaN(b.startUs)) &&
    (a.durationUs === b.durationUs || Number.isNaN(a.durationUs) || Number.isNaN(b.durationUs))
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

function mergeInto(a: Span, b: Span): Span {
  const m: Span = {
    ...a,
    name: a.name || b.name,
    kind: a.kind !== 'unspecified' ? a.kind : b.kind,
    startUs: Number.isNaN(a.startUs) ? b.startUs : a.startUs,
    durationUs: Number.isNaN(a.durationUs) ? b.durationUs : a.durationUs,
    attributes: unionAttributes(a.attributes, b.attributes),
    events: unionEvents(a.events, b.events),
    links: a.links.length ? a.links : b.links,
    status: a.status.code !== 'unset' ? a.status : b.status,
  };
  if (!m.parentId && b.parentId) m.parentId = b.parentId;
  if (!m.remoteEndpoint && b.remoteEndpoint) m.remoteEndpoint = b.remoteEndpoint;
  if (!m.localEndpoint && b.localEndpoint) m.localEndpoint = b.localEndpoint;
  if (b.debug) m.debug = true;
  return m;
}

/**
 * Merge pieces and repair B3 shared spans, keeping first-seen order. Returns new span objects only for
 * merged or repaired spans; untouched spans are passed through as they are.
 */
export function mergePieces(spans: readonly Span[]): Span[] {
  const byKey = new Map<string, number[]>();
  const out: Span[] = [];
  for (const s of spans) {
    const key = `${s.spanId}\u0000${s.shared ? 1 : 0}\u0000${s.service}`;
    const candidates = byKey.get(key);
    let merged = false;
    if (candidates) {
      for (const idx of candidates) {
        if (compatible(out[idx], s)) {
          out[idx] = mergeInto(out[idx], s);
          merged = true;
          break;
        }
      }
    }
    if (!merged) {
      out.push(s);
      if (candidates) candidates.push(out.length - 1);
      else byKey.set(key, [out.length - 1]);
    }
  }
  return repairSharedFlags(out);
}

/**
 * B3 gives the client and the server half of an RPC one span id. When a SERVER span shares its id with
 * a CLIENT span but lacks `shared: true`, mark it (Zipkin Lens does the same), and give a shared server
 * without a parent its client's parent.
 */
function repairSharedFlags(spans: Span[]): Span[] {
  const clientById = new Map<string, Span>();
  for (const s of spans) if (s.kind === 'client' && !s.shared) clientById.set(s.spanId, s);
  if (clientById.size === 0) return spans;
  return spans.map((s) => {
    if (s.kind !== 'server') return s;
    const client = clientById.get(s.spanId);
    if (!client || client === s) return s;
    if (s.shared && s.parentId) return s;
    const fixed: Span = { ...s, shared: true };
    if (!fixed.parentId && client.parentId) fixed.parentId = client.parentId;
    return fixed;
  });
}
