/**
 * The one entry point from bytes or text to spans: find out what the input is, say why when it is
 * nothing we know, decode it, and turn any failure into a `TraceDecodeError` with a position.
 */
import { TraceDecodeError } from '../errors';
import { formatPath, lineColumn, nodeAtPath, nodeValue, scanJson, type JsonPath } from '../json/scanner';
import type { Span, TraceFormat } from '../model';
import { describe, isObject, jsonPathOf } from './common';
import { decodeJaeger, looksLikeJaeger } from './jaeger';
import { decodeJaegerThrift, sniffJaegerThrift } from './jaegerThrift';
import { decodeOtelConsole, looksLikeOtelConsole } from './otelConsole';
import { decodeOtlpJson } from './otlpJson';
import { decodeOtlpProto } from './otlpProto';
import { decodeZipkin, looksLikeZipkin } from './zipkin';

export const FORMAT_NAMES: Record<TraceFormat, string> = {
  'zipkin-v2': 'Zipkin v2 JSON',
  'otlp-json': 'OTLP/JSON',
  'tempo-v1': 'Tempo trace JSON (v1, "batches")',
  'tempo-v2': 'Tempo trace JSON (v2, "trace.resourceSpans")',
  'jaeger-json': 'Jaeger JSON',
  'jaeger-v3': 'Jaeger /api/v3 (OTLP/JSON)',
  'otlp-proto': 'OTLP protobuf',
  'jaeger-thrift': 'Jaeger Thrift (compact or binary)',
  'otel-python-console': 'OpenTelemetry Python console output',
};

export interface DecodeResult {
  /** The format of the (first) value; a stream of mixed values reports the first one's. */
  format: TraceFormat;
  spans: Span[];
}

export interface DecodeOptions {
  /** Refuse larger input with a clear message instead of exhausting memory (default 512 MiB). */
  maxBytes?: number;
}

export type Detection = { format: TraceFormat } | { format: null; reason: string };

/** Name the format of one parsed JSON value, or say why it is none. */
export function detectJsonFormat(v: unknown): Detection {
  if (isObject(v)) {
    if (Array.isArray(v.resourceSpans)) return { format: 'otlp-json' };
    if (Array.isArray(v.batches)) return { format: 'tempo-v1' };
    if (isObject(v.trace)) return { format: 'tempo-v2' };
    if (isObject(v.result) && 'resourceSpans' in v.result) return { format: 'jaeger-v3' };
    if (looksLikeJaeger(v)) return { format: 'jaeger-json' };
    if (looksLikeOtelConsole(v)) return { format: 'otel-python-console' };
    if (looksLikeZipkin(v)) return { format: 'zipkin-v2' };
    const keys = Object.keys(v).slice(0, 6).map((k) => `"${k}"`).join(', ') || 'none';
    return {
      format: null,
      reason:
        `the top-level object has keys ${keys}; expected "resourceSpans" (OTLP/JSON), "batches" or "trace" (Tempo), ` +
        `"data" with spans (Jaeger), "result" (Jaeger v3), "context" with "span_id" (OTel console) or "traceId" with "id" (a Zipkin span)`,
    };
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return { format: 'zipkin-v2' }; // `[]` is a valid, empty Zipkin span list
    if (looksLikeZipkin(v)) return { format: 'zipkin-v2' };
    if (looksLikeJaeger(v)) return { format: 'jaeger-json' };
    if (v.every(looksLikeOtelConsole)) return { format: 'otel-python-console' };
    const first = Array.isArray(v[0]) ? v[0][0] : v[0];
    const keys = isObject(first) ? Object.keys(first).slice(0, 6).map((k) => `"${k}"`).join(', ') : describe(first);
    return { format: null, reason: `an array whose first item is ${isObject(first) ? `an object with keys ${keys}` : keys}; a Zipkin span needs "traceId" and "id"` };
  }
  return { format: null, reason: `the input is ${describe(v)}, not a JSON object or array` };
}

function decodeValue(v: unknown, format: TraceFormat): Span[] {
  switch (format) {
    case 'zipkin-v2': return decodeZipkin(v);
    case 'jaeger-json': return decodeJaeger(v);
    case 'otel-python-console': return Array.isArray(v) ? decodeOtelConsole(v) : decodeOtelConsole([v], [[]]);
    case 'otlp-proto': throw new TraceDecodeError('otlp-proto', 'protobuf input must be given as bytes');
    case 'jaeger-thrift': throw new TraceDecodeError('jaeger-thrift', 'Thrift input must be given as bytes');
    default: return decodeOtlpJson(v, format, true);
  }
}

/** Bytes that start (after whitespace) with `{` or `[` are JSON text; anything else is tried as protobuf. */
function looksLikeJsonBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length && i < 1024; i++) {
    const b = bytes[i];
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    if (b === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf) { i += 2; continue; } // UTF-8 BOM
    return b === 0x7b || b === 0x5b;
  }
  return false;
}

/** Printable text (no control bytes but tab/CR/LF) in the first 512 bytes: not protobuf, whose tags and lengths are control bytes. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}

export function decodeTrace(input: string | Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const max = options.maxBytes ?? 512 * 1024 * 1024;
  if (input.length > max) {
    throw new TraceDecodeError('unknown', `input is ${input.length} ${typeof input === 'string' ? 'characters' : 'bytes'}, more than the ${max}-byte limit; split the file or raise the limit`);
  }
  if (typeof input !== 'string') {
    if (input.length === 0) throw new TraceDecodeError('unknown', 'the input is empty: no trace data');
    if (!looksLikeJsonBytes(input)) {
      if (looksLikeText(input)) {
        const head = new TextDecoder('utf-8').decode(input.subarray(0, 40)).split('\n')[0];
        throw new TraceDecodeError('unknown', `not a trace: the input is text that does not start with '{' or '[' (it starts "${head}"); expected JSON, OTLP protobuf or Jaeger Thrift bytes`, undefined, { offset: 0, line: 1, column: 1 });
      }
      const thrift = sniffJaegerThrift(input);
      if (thrift) return { format: 'jaeger-thrift', spans: decodeJaegerThrift(input, thrift).spans };
      return { format: 'otlp-proto', spans: decodeOtlpProto(input) };
    }
    try {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(input);
      } catch {
        throw new TraceDecodeError('unknown', 'the input starts like JSON but is not valid UTF-8 text');
      }
      return decodeText(text);
    } catch (jsonError) {
      // A protobuf request starts with 0x0a (field 1) — also a JSON newline — and its length byte may
      // be '{' or '['. If the bytes are not JSON after all, they may still be a valid protobuf.
      if (input[0] !== 0x0a) throw jsonError;
      try {
        return { format: 'otlp-proto', spans: decodeOtlpProto(input) };
      } catch {
        throw jsonError;
      }
    }
  }
  return decodeText(input);
}

/**
 * Bytes that `decodeTrace` would read as OTLP protobuf (not JSON, not text). A receiver checks these with
 * `splitOtlpProtoByTrace` and keeps them encoded instead; everything else it decodes with `decodeTrace`.
 */
export function looksLikeProtobuf(bytes: Uint8Array): boolean {
  return bytes.length > 0 && !looksLikeJsonBytes(bytes) && !looksLikeText(bytes) && !sniffJaegerThrift(bytes);
}

/** Decode JSON text: one document, or a stream of concatenated documents (console output, NDJSON). */
export function decodeText(text: string): DecodeResult {
  if (text.trim() === '') throw new TraceDecodeError('unknown', 'the input is empty: no trace data', undefined, { offset: 0, line: 1, column: 1 });
  let parsed: unknown;
  let single = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    single = false;
  }
  if (single) return decodeOne(parsed, text, 0, []);

  // Not one JSON document: maybe several in a row, maybe JSON with comments, maybe broken.
  const scan = scanJson(text, { jsonc: true });
  if (scan.errors.length > 0) {
    const e = scan.errors[0];
    throw new TraceDecodeError('unknown', `not valid JSON: ${e.message}`, undefined, { offset: e.offset, ...lineColumn(text, e.offset) });
  }
  const values = scan.values.map(nodeValue);
  if (values.length === 1) return decodeOne(values[0], text, 0, []);
  // A stream: decode each value on its own, so one object's format does not have to match the next.
  const spans: Span[] = [];
  let format: TraceFormat | undefined;
  for (let i = 0; i < values.length; i++) {
    const node = scan.values[i];
    const r = decodeOne(values[i], text, node.start, [], node);
    format ??= r.format;
    for (const s of r.spans) spans.push(s);
  }
  return { format: format ?? 'zipkin-v2', spans };
}

/**
 * Decode a JSON value that is already parsed (a backend's answer, read first for its shape), so it is
 * not turned back into text and parsed again. Without the text, errors carry a JSON path, no position.
 */
export function decodeJsonValue(value: unknown): DecodeResult {
  const d = detectJsonFormat(value);
  if (d.format === null) throw new TraceDecodeError('unknown', `not a trace format I know: ${d.reason}`);
  try {
    return { format: d.format, spans: decodeValue(value, d.format) };
  } catch (e) {
    throw locate(e, d.format);
  }
}

function decodeOne(value: unknown, text: string, baseOffset: number, basePath: JsonPath, node?: ReturnType<typeof scanJson>['values'][number]): DecodeResult {
  const d = detectJsonFormat(value);
  if (d.format === null) {
    const offset = baseOffset;
    throw new TraceDecodeError('unknown', `not a trace format I know: ${d.reason}`, basePath.length ? formatPath(basePath) : undefined, { offset, ...lineColumn(text, offset) });
  }
  try {
    return { format: d.format, spans: decodeValue(value, d.format) };
  } catch (e) {
    throw locate(e, d.format, text, node);
  }
}

/** Turn whatever a decoder threw into a TraceDecodeError that points into the text, when there is one. */
function locate(e: unknown, format: TraceFormat, text?: string, node?: ReturnType<typeof scanJson>['values'][number]): TraceDecodeError {
  if (!(e instanceof TraceDecodeError)) {
    // A decoder bug or a pathological input (e.g. stack overflow): still a typed, readable error.
    return new TraceDecodeError(format, `could not decode: ${e instanceof Error ? e.message : String(e)}`);
  }
  const path = jsonPathOf(e);
  if (!path || text === undefined) return e;
  const root = node ?? scanJson(text, { jsonc: true, maxValues: 1 }).values[0];
  if (!root) return e;
  const at = nodeAtPath(root, path);
  return e.withPosition({ offset: at.start, ...lineColumn(text, at.start) });
}
