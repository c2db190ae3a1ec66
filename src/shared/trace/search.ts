/**
 * In-trace search: whitespace-separated terms, all of which must match (case-insensitive substrings),
 * with "quoted phrases" kept whole and `key=value` matching one attribute. Terms look at the span's
 * name, service, span id, attribute keys and values, resource values and event names. A linear scan.
 *
 * A few terms ask about the span itself rather than its text, because "which spans are slow" and
 * "which failed" are what people look for in a big trace (and, with "matches only", what they want
 * left on screen): `duration>10ms` (also `>=`, `<`, `<=`; units us, ms, s, m; a bare number is ms),
 * `status=error|ok|unset` and `kind=server|client|producer|consumer|internal`. `service=` and `name=`
 * match those fields as substrings. Each of these keys also matches an attribute of the same name.
 * A leading minus negates a term: `-redis`, `-"health check"`, `-status=ok`.
 */
import { attrText, type Span } from '../model';
import { parseDurationInput } from '../time';
import type { SearchIndex } from './searchIndex';
import type { Trace } from './trace';

type Comparison = '>' | '>=' | '<' | '<=';

/** A term; `not` (written `-term`) asks for spans that do not match it. */
export type Term = ({ text: string } | { key: string; value: string } | { duration: Comparison; us: number }) & { not?: true };

export interface ParsedQuery {
  terms: Term[];
  /** Why part of the query was not understood; the rest still searches. */
  error?: string;
}

const DURATION_TERM = /^(?:duration|dur)(>=|<=|>|<)(.*)$/i;

export function parseQuery(query: string): ParsedQuery {
  const terms: Term[] = [];
  let error: string | undefined;
  // -"a phrase" | "a phrase" | -word | word (a leading minus negates; "order-42" is one word)
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(query); m; m = re.exec(query)) {
    const quoted = m[3] === undefined;
    let raw = quoted ? m[2] : m[3];
    let not = quoted && m[1] === '-';
    if (!quoted && raw.length > 1 && raw.startsWith('-')) {
      not = true;
      raw = raw.slice(1);
    }
    if (!raw) continue;
    const push = (t: Term): void => {
      terms.push(not ? { ...t, not: true } : t);
    };
    const d = quoted ? null : DURATION_TERM.exec(raw);
    if (d) {
      const us = parseDurationInput(d[2]);
      if (us === undefined) error ??= `"${raw}": give a duration like duration>10ms, duration<1.5s or duration>=250us`;
      else push({ duration: d[1] as Comparison, us });
      continue;
    }
    const eq = quoted ? -1 : raw.indexOf('=');
    if (eq > 0) push({ key: raw.slice(0, eq).toLowerCase(), value: raw.slice(eq + 1).toLowerCase() });
    else push({ text: raw.toLowerCase() });
  }
  return error ? { terms, error } : { terms };
}

function compare(us: number, op: Comparison, bound: number): boolean {
  return op === '>' ? us > bound : op === '>=' ? us >= bound : op === '<' ? us < bound : us <= bound;
}

/** The span's own field for the keys that name one, lower-cased; undefined for any other key. */
function fieldOf(s: Span, key: string): { value: string; exact: boolean } | undefined {
  switch (key) {
    case 'status': return { value: s.status.code, exact: true };
    case 'kind': return { value: s.kind, exact: true };
    case 'service': return { value: s.service.toLowerCase(), exact: false };
    case 'name': return { value: s.name.toLowerCase(), exact: false };
    default: return undefined;
  }
}

/** A term made ready for a scan: case-insensitive literal matchers built once, not a lower-cased copy of every string per span. */
interface Matcher {
  term: Term;
  /** The term's text (or a key=value term's value) as a case-insensitive literal. */
  re: RegExp;
  key?: string;
}

const literal = (x: string): RegExp => new RegExp(x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');

function matcherOf(t: Term): Matcher {
  if ('text' in t) return { term: t, re: literal(t.text) };
  if ('key' in t) return { term: t, re: literal(t.value), key: t.key };
  return { term: t, re: /$^/ };
}

function termMatches(s: Span, durationUs: number, m: Matcher): boolean {
  const t = m.term;
  if ('duration' in t) return compare(durationUs, t.duration, t.us);
  const re = m.re;
  if (m.key !== undefined) {
    const field = fieldOf(s, m.key);
    if (field && (field.exact ? field.value === (t as { value: string }).value : re.test(field.value))) return true;
    for (const a of s.attributes) if (a.key.toLowerCase() === m.key && re.test(attrText(a.value))) return true;
    for (const a of s.resource) if (a.key.toLowerCase() === m.key && re.test(attrText(a.value))) return true;
    return false;
  }
  if (re.test(s.name) || re.test(s.service) || re.test(s.spanId)) return true;
  for (const a of s.attributes) if (re.test(a.key) || re.test(attrText(a.value))) return true;
  for (const a of s.resource) if (re.test(attrText(a.value))) return true;
  for (const e of s.events) if (re.test(e.name)) return true;
  return false;
}

function spanMatches(s: Span, durationUs: number, ms: readonly Matcher[]): boolean {
  for (const m of ms) if (termMatches(s, durationUs, m) === !!m.term.not) return false;
  return true;
}

export interface SearchResult {
  /** Matching rows, in row order. */
  rows: number[];
  error?: string;
}

/**
 * The text a matching span must contain somewhere: the longest needle among the terms that ask for
 * text (not negated; a duration or an empty `key=` asks for none). Undefined when no term does.
 */
function requiredText(terms: readonly Term[]): string | undefined {
  let best: string | undefined;
  for (const t of terms) {
    if (t.not) continue;
    const needle = 'text' in t ? t.text : 'key' in t ? t.value : '';
    if (needle && (best === undefined || needle.length > best.length)) best = needle;
  }
  return best;
}

/**
 * Rows whose span matches every term, in row order. An empty query matches nothing. Durations are the
 * ones the waterfall draws (repaired and, when on, skew-adjusted), so a match is what the bar shows.
 * With an index of this trace, only the rows it names as candidates are checked (same answer, faster).
 */
export function searchTrace(trace: Trace, query: string, index?: SearchIndex): SearchResult {
  const q = parseQuery(query);
  if (q.terms.length === 0) return q.error ? { rows: [], error: q.error } : { rows: [] };
  const ms = q.terms.map(matcherOf);
  const needle = index?.trace === trace ? requiredText(q.terms) : undefined;
  const candidates = needle === undefined ? undefined : index?.candidates(needle);
  const rows: number[] = [];
  for (let r = 0; r < trace.spans.length; r++) {
    if (candidates && !candidates[r]) continue;
    if (spanMatches(trace.spans[r], trace.duration[r], ms)) rows.push(r);
  }
  return q.error ? { rows, error: q.error } : { rows };
}
