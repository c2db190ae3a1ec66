/**
 * TraceQL as Tempo reads it, for the filters a user sets. Tempo compares typed values:
 * `span.http.status_code = "500"` (a string) never equals the integer attribute 500, so a literal is
 * written in the type Tempo's tag-values API reported for that tag (`string`, `int`, `float`, `bool`,
 * `duration`, `keyword`), or, when it reported none, the type the value looks like. Intrinsics are bare
 * keywords (`status = error`, `kind = server`, `duration > 100ms`, `event:name`, `trace:rootService`):
 * a leading dot would make them attribute look-ups that never match. Attributes are scoped
 * (`resource.`, `span.`, `event.`, `link.`, `instrumentation.`) or unscoped (`.name`).
 */

import { goDuration } from '../time';

export type TempoValueType = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'keyword';

/** Tempo's intrinsics and the type of value each compares with. */
export const INTRINSICS: Readonly<Record<string, TempoValueType>> = {
  name: 'string',
  status: 'keyword',
  statusMessage: 'string',
  kind: 'keyword',
  duration: 'duration',
  rootName: 'string',
  rootServiceName: 'string',
  traceDuration: 'duration',
  'span:name': 'string',
  'span:status': 'keyword',
  'span:statusMessage': 'string',
  'span:kind': 'keyword',
  'span:duration': 'duration',
  'span:id': 'string',
  'span:parentID': 'string',
  'trace:rootName': 'string',
  'trace:rootService': 'string',
  'trace:duration': 'duration',
  'trace:id': 'string',
  'event:name': 'string',
  'event:timeSinceStart': 'duration',
  'link:traceID': 'string',
  'link:spanID': 'string',
  'instrumentation:name': 'string',
  'instrumentation:version': 'string',
};

/** The attribute scopes Tempo lists tags under (besides `intrinsic`). */
export const ATTRIBUTE_SCOPES = ['resource', 'span', 'event', 'link', 'instrumentation'] as const;

/** The keywords an intrinsic of type `keyword` takes. */
export const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  status: ['error', 'ok', 'unset'],
  'span:status': ['error', 'ok', 'unset'],
  kind: ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'],
  'span:kind': ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'],
};

export class TraceQLValueError extends Error {}

const VALUE_TYPES: readonly string[] = ['string', 'int', 'float', 'bool', 'duration', 'keyword'];

export function isTempoValueType(t: string): t is TempoValueType {
  return VALUE_TYPES.includes(t);
}

/**
 * The left-hand side for a tag as a user types it or Tempo's tag list names it: an intrinsic stays
 * bare, a scoped or dotted name stays as it is, any other name becomes an unscoped attribute (`.x`).
 */
export function traceqlField(tag: string): string {
  const t = tag.trim();
  if (t in INTRINSICS) return t;
  if (t.startsWith('.')) return t;
  for (const scope of ATTRIBUTE_SCOPES) if (t.startsWith(`${scope}.`)) return t;
  return `.${t}`;
}

/** The tag name Tempo's tag APIs take for a scope and a tag of its list (`intrinsic` tags are bare). */
export function scopedTagName(scope: string, tag: string): string {
  return scope === 'intrinsic' ? tag : `${scope}.${tag}`;
}

/** What a value looks like, for a tag Tempo gave no type for: integer, float, true/false, else string. */
export function guessValueType(value: string): TempoValueType {
  const v = value.trim();
  if (/^-?\d+$/.test(v)) return 'int';
  if (/^-?(\d+\.\d*|\.\d+|\d+)(e[+-]?\d+)?$/i.test(v)) return 'float';
  if (v === 'true' || v === 'false') return 'bool';
  return 'string';
}

/** The type a field compares with when it is an intrinsic, else undefined (attributes: any type). */
export function intrinsicType(field: string): TempoValueType | undefined {
  return INTRINSICS[field];
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** A string literal: double quotes, with backslash and quote escaped. */
export function quoteTraceQL(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The literal for `value` as a TraceQL value of `type`; a value that is not of that type is refused. */
export function traceqlLiteral(value: string, type: TempoValueType, field = ''): string {
  const v = value.trim();
  switch (type) {
    case 'string':
      return quoteTraceQL(value);
    case 'int':
      if (!/^-?\d+$/.test(v)) throw new TraceQLValueError(`${field || 'the tag'} holds integers; "${value}" is not one`);
      return v;
    case 'float':
      if (!Number.isFinite(Number(v)) || v === '') throw new TraceQLValueError(`${field || 'the tag'} holds numbers; "${value}" is not one`);
      return v;
    case 'bool':
      if (v !== 'true' && v !== 'false') throw new TraceQLValueError(`${field || 'the tag'} holds true or false; "${value}" is neither`);
      return v;
    case 'duration':
      if (!GO_DURATION.test(v)) throw new TraceQLValueError(`${field || 'the tag'} holds durations like 100ms, 1.5s or 250us; "${value}" is not one`);
      return v;
    case 'keyword': {
      const allowed = KEYWORDS[field];
      if (allowed && !allowed.includes(v)) throw new TraceQLValueError(`${field} is one of ${allowed.join(', ')}; "${value}" is not`);
      if (!/^[A-Za-z_][\w]*$/.test(v)) throw new TraceQLValueError(`"${value}" is not a TraceQL keyword`);
      return v;
    }
  }
}

/** `field = literal`, typed: by `type` when Tempo said, else by the intrinsic's type, else by the look of the value. */
export function traceqlCondition(tag: string, value: string, type?: TempoValueType): string {
  const field = traceqlField(tag);
  const t = intrinsicType(field) ?? type ?? guessValueType(value);
  return `${field} = ${traceqlLiteral(value, t, field)}`;
}

export interface TraceQLFilters {
  service?: string;
  operation?: string;
  minDurationUs?: number;
  maxDurationUs?: number;
  tags?: Readonly<Record<string, string>>;
  /** The type Tempo's tag-values answer gave each tag's value, where it gave one. */
  tagTypes?: Readonly<Record<string, TempoValueType>>;
}

/**
 * One spanset of the filters joined by &&; `{}` matches everything. `mostRecent` adds the query hint
 * without which Tempo returns the first traces it finds, not the newest.
 */
export function traceqlOf(f: TraceQLFilters, options: { mostRecent?: boolean } = {}): string {
  const c: string[] = [];
  if (f.service) c.push(`resource.service.name = ${quoteTraceQL(f.service)}`);
  if (f.operation) c.push(`name = ${quoteTraceQL(f.operation)}`);
  if (f.minDurationUs !== undefined) c.push(`duration >= ${goDuration(f.minDurationUs)}`);
  if (f.maxDurationUs !== undefined) c.push(`duration <= ${goDuration(f.maxDurationUs)}`);
  for (const [k, v] of Object.entries(f.tags ?? {})) c.push(traceqlCondition(k, v, f.tagTypes?.[k]));
  const spanset = c.length ? `{ ${c.join(' && ')} }` : '{}';
  return options.mostRecent ? withMostRecent(spanset) : spanset;
}

/** The query with Tempo's `most_recent=true` hint, unless it already has hints. */
export function withMostRecent(query: string): string {
  return /\bwith\s*\(/.test(query) ? query : `${query} with (most_recent=true)`;
}

/** The query without its hints (for a Tempo older than query hints). */
export function withoutHints(query: string): string {
  return query.replace(/\s*\bwith\s*\([^)]*\)\s*$/, '');
}
