/** What the HTTP-backed sources share: decoding answers into the model, list rows, and posting spans. */
import { TraceDecodeError } from '../../shared/errors';
import { decodeJsonValue, decodeTrace } from '../../shared/formats/detect';
import { encodeSpans } from '../../shared/formats/encode';
import { traceIdKey } from '../../shared/ids';
import type { EncodeFormat, Span } from '../../shared/model';
import { summarize, type TraceSummaryRow } from '../../shared/store/traceStore';
import { BackendError } from '../http/backendError';
import { assertNotHtml, type HttpClient, type HttpResponse } from '../http/httpClient';
import type { IngestResult } from './traceSource';

/**
 * Decode a backend's answer with the one decoder set, straight from its bytes; a bad body names the
 * endpoint and the URL, and an HTML page gets the same "is this the API port?" error as `json()`.
 * `value` is the body already parsed by `json()` (when its shape had to be looked at first).
 */
export function decodeBody(endpoint: string, res: HttpResponse, what: string, value?: unknown): Span[] {
  if (value === undefined) assertNotHtml(endpoint, res);
  try {
    return (value === undefined ? decodeTrace(res.body) : decodeJsonValue(value)).spans;
  } catch (e) {
    if (e instanceof TraceDecodeError) {
      throw new BackendError('bad-body', endpoint, res.url, `${what} is not a trace this extension can read: ${e.message}`);
    }
    throw e;
  }
}

/** Group spans by trace and summarize each, newest first. */
export function rowsOf(spans: readonly Span[], limit?: number): TraceSummaryRow[] {
  const byTrace = new Map<string, Span[]>();
  for (const s of spans) {
    const key = traceIdKey(s.traceId);
    let list = byTrace.get(key);
    if (!list) byTrace.set(key, (list = []));
    list.push(s);
  }
  const rows = [...byTrace.values()].map((list) => summarize({ traceId: longestId(list), spans: list, updatedMs: 0 }));
  rows.sort((a, b) => b.startUs - a.startUs);
  return limit ? rows.slice(0, limit) : rows;
}

function longestId(spans: readonly Span[]): string {
  let id = spans[0].traceId;
  for (const s of spans) if (s.traceId.length > id.length) id = s.traceId;
  return id;
}

/** Which encoding an ingest URL takes when the endpoint does not say: OTLP protobuf for /v1/traces, else Zipkin JSON. */
export function ingestFormatFor(url: string, configured?: 'otlp-proto' | 'otlp-json' | 'zipkin'): EncodeFormat {
  if (configured) return configured;
  return /\/v1\/traces\/?$/.test(new URL(url).pathname) ? 'otlp-proto' : 'zipkin';
}

/** Post spans to a receiver; a rejection's own text is in the error. */
export async function postSpans(client: HttpClient, url: string, format: EncodeFormat, spans: readonly Span[], signal?: AbortSignal): Promise<IngestResult> {
  const { contentType, body } = encodeSpans(spans, format);
  const res = await client.postTo(url, { body, contentType, accept: format === 'otlp-proto' ? 'application/x-protobuf' : 'application/json', signal });
  let message: string | undefined;
  if (format !== 'otlp-proto') {
    const text = res.text().trim();
    // OTLP partial success: the receiver kept some spans and says why it dropped the rest.
    if (text && text !== '{}' && text !== '{"partialSuccess":{}}') message = text.slice(0, 500);
  }
  return { url: res.url, status: res.status, spanCount: spans.length, message };
}

/** A URL with a default path when the user gave only scheme, host and port. */
export function withDefaultPath(url: string, path: string): string {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = path;
  return u.toString();
}

