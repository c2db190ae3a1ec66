/** Small helpers shared by the JSON-shaped decoders: type checks that fail with a path. */
import { TraceDecodeError } from '../errors';
import type { JsonPath } from '../json/scanner';
import { formatPath } from '../json/scanner';
import type { Attribute, AttrValue, SpanKind, StatusCode, TraceFormat } from '../model';

export type JsonObject = Record<string, unknown>;

export function fail(format: TraceFormat, reason: string, path: JsonPath): never {
  const err = new TraceDecodeError(format, reason, formatPath(path));
  (err as { jsonPath?: JsonPath }).jsonPath = path;
  throw err;
}

/**
 * Re-throw a decode error from inside a container with the container's steps put in front of its
 * path. Decoders fail with paths relative to what they were given and callers add their own steps
 * only when something failed, so the happy path builds no path arrays at all.
 */
export function rethrowAt(e: unknown, ...steps: Array<string | number>): never {
  if (e instanceof TraceDecodeError) {
    const path = [...steps, ...(jsonPathOf(e) ?? [])];
    const err = new TraceDecodeError(e.format, e.reason, formatPath(path));
    (err as { jsonPath?: JsonPath }).jsonPath = path;
    throw err;
  }
  throw e;
}

/** The JSON path carried by an error thrown through `fail` (used to find its line and column). */
export function jsonPathOf(err: TraceDecodeError): JsonPath | undefined {
  return (err as { jsonPath?: JsonPath }).jsonPath;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

export function objectAt(format: TraceFormat, v: unknown, path: JsonPath, what: string): JsonObject {
  if (!isObject(v)) fail(format, `${what} must be an object, got ${describe(v)}`, path);
  return v;
}

export function arrayAt(format: TraceFormat, v: unknown, path: JsonPath, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(format, `${what} must be an array, got ${describe(v)}`, path);
  return v;
}

export function optionalString(format: TraceFormat, v: unknown, path: JsonPath, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(format, `${what} must be a string, got ${describe(v)}`, path);
  return v;
}

/** A JSON number or a decimal string (64-bit integers arrive as either). NaN when absent. */
export function numberLike(format: TraceFormat, v: unknown, path: JsonPath, what: string): number {
  if (v === undefined || v === null) return NaN;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  fail(format, `${what} must be a number, got ${describe(v)}`, path);
}

/** Plain JSON attribute values as the model keeps them (numbers stay numbers, objects stay maps). */
export function plainAttributes(map: unknown): Attribute[] {
  if (!isObject(map)) return [];
  const out: Attribute[] = [];
  for (const key of Object.keys(map)) out.push({ key, value: plainValue(map[key]) });
  return out;
}

export function plainValue(v: unknown): AttrValue {
  if (v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v)) return v.map(plainValue);
  if (typeof v === 'object') {
    const out: Record<string, AttrValue> = {};
    for (const k of Object.keys(v as object)) out[k] = plainValue((v as JsonObject)[k]);
    return out;
  }
  return String(v);
}

/** Keep the resource list shared between spans of one service (encoders group by identity). */
export class ResourceCache {
  private readonly byService = new Map<string, Attribute[]>();
  forService(service: string): Attribute[] {
    let r = this.byService.get(service);
    if (!r) {
      r = service ? [{ key: 'service.name', value: service }] : [];
      this.byService.set(service, r);
    }
    return r;
  }
}

const KIND_BY_WORD: Record<string, SpanKind> = {
  internal: 'internal',
  server: 'server',
  client: 'client',
  producer: 'producer',
  consumer: 'consumer',
  unspecified: 'unspecified',
};

/** `SPAN_KIND_SERVER`, `SpanKind.SERVER`, `server`, `SERVER` → 'server'. */
export function kindFromWord(word: string): SpanKind | undefined {
  const w = word.replace(/^SPAN_KIND_/i, '').replace(/^SpanKind\./, '').toLowerCase();
  return KIND_BY_WORD[w];
}

export function statusFromWord(word: string): StatusCode | undefined {
  const w = word.replace(/^STATUS_CODE_/i, '').replace(/^StatusCode\./, '').toLowerCase();
  return w === 'error' ? 'error' : w === 'ok' ? 'ok' : w === 'unset' ? 'unset' : undefined;
}
