/**
 * In-trace search: whitespace-separated terms, all of which must match (case-insensitive substrings),
 * with "quoted phrases" kept whole and `key=value` matching one attribute. Terms look at the span's
 * name, service, span id, attribute keys and values, resource values and event names. A linear scan.
 */
import { attrText, type Span } from '../model';
import type { Trace } from './trace';

export interface ParsedQuery {
  terms: Array<{ text: string } | { key: string; value: string }>;
}

export function parseQuery(query: string): ParsedQuery {
  const terms: ParsedQuery['terms'] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(query); m; m = re.exec(query)) {
    const raw = m[1] ?? m[2];
    if (!raw) continue;
    const eq = m[2] ? raw.indexOf('=') : -1;
    if (eq > 0) terms.push({ key: raw.slice(0, eq).toLowerCase(), value: raw.slice(eq + 1).toLowerCase() });
    else terms.push({ text: raw.toLowerCase() });
  }
  return { terms };
}

function spanMatches(s: Span, q: ParsedQuery): boolean {
  for (const t of q.terms) {
    if ('key' in t) {
      const hit = [...s.attributes, ...s.resource].some((a) => a.key.toLowerCase() === t.key && attrText(a.value).toLowerCase().includes(t.value));
      if (!hit) return false;
      continue;
    }
    const x = t.text;
    if (s.name.toLowerCase().includes(x) || s.service.toLowerCase().includes(x) || s.spanId.includes(x)) continue;
    if (s.attributes.some((a) => a.key.toLowerCase().includes(x) || attrText(a.value).toLowerCase().includes(x))) continue;
    if (s.resource.some((a) => attrText(a.value).toLowerCase().includes(x))) continue;
    if (s.events.some((e) => e.name.toLowerCase().includes(x))) continue;
    return false;
  }
  return true;
}

/** Rows whose span matches every term, in row order. An empty query matches nothing. */
export function searchTrace(trace: Trace, query: string): number[] {
  const q = parseQuery(query);
  if (q.terms.length === 0) return [];
  const out: number[] = [];
  for (let r = 0; r < trace.spans.length; r++) if (spanMatches(trace.spans[r], q)) out.push(r);
  return out;
}
