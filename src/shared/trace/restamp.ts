/**
 * Re-stamp spans for sending again: fresh trace and span ids that keep the parent/child shape (and
 * links between the spans), and times moved so the latest end is "now", so the trace shows up among a
 * backend's recent traces instead of colliding with, or hiding behind, the original.
 */
import { randomHexId, traceIdKey } from '../ids';
import type { Span } from '../model';

export function restampSpans(spans: readonly Span[], nowUs: number, random: () => number = Math.random): Span[] {
  const traceIds = new Map<string, string>();
  const spanIds = new Map<string, string>();
  const newTrace = (id: string): string => {
    const key = traceIdKey(id);
    let fresh = traceIds.get(key);
    if (!fresh) traceIds.set(key, (fresh = randomHexId(id.length > 16 ? 32 : 16, random)));
    return fresh;
  };
  // The same span id in another trace is another span: key span ids by trace.
  const newSpan = (traceId: string, id: string): string => {
    const key = `${traceIdKey(traceId)}/${id}`;
    let fresh = spanIds.get(key);
    if (!fresh) spanIds.set(key, (fresh = randomHexId(16, random)));
    return fresh;
  };
  let latestEnd = -Infinity;
  for (const s of spans) {
    if (Number.isFinite(s.startUs)) latestEnd = Math.max(latestEnd, s.startUs + (Number.isFinite(s.durationUs) ? s.durationUs : 0));
  }
  const ownTraces = new Set(spans.map((s) => traceIdKey(s.traceId)));
  const shift = Number.isFinite(latestEnd) ? Math.round(nowUs - latestEnd) : 0;
  return spans.map((s) => ({
    ...s,
    traceId: newTrace(s.traceId),
    spanId: newSpan(s.traceId, s.spanId),
    parentId: s.parentId ? newSpan(s.traceId, s.parentId) : undefined,
    startUs: s.startUs + shift,
    events: s.events.map((e) => ({ ...e, timeUs: e.timeUs + shift })),
    // A link into one of the re-stamped traces follows it; a link elsewhere is left alone.
    links: s.links.map((l) => (ownTraces.has(traceIdKey(l.traceId)) ? { ...l, traceId: newTrace(l.traceId), spanId: newSpan(l.traceId, l.spanId) } : l)),
  }));
}
