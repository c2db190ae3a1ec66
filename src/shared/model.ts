/**
 * The one normalized trace model. Every decoder produces `Span`s; everything downstream (linking,
 * encoders, tree view, webview) reads only this. Nothing here knows which wire format a span came from.
 *
 * Conventions:
 * - ids are lowercase hex: trace ids 16 or 32 digits, span ids 16 digits;
 * - times are microseconds since the epoch (`number`, exact to 1 µs); `NaN` means "the source did not
 *   say" and is repaired (with a warning) when the trace is linked;
 * - attribute lists keep the source's order and may be shared between spans (a resource is decoded
 *   once and referenced by every span under it), so treat them as read-only.
 */

/** An attribute value. 64-bit integers beyond 2^53 stay decimal strings so they are never rounded. */
export type AttrValue = string | number | boolean | null | readonly AttrValue[] | AttrMap;
export interface AttrMap {
  readonly [key: string]: AttrValue;
}

export interface Attribute {
  readonly key: string;
  readonly value: AttrValue;
}

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';

export interface SpanEvent {
  readonly timeUs: number;
  readonly name: string;
  readonly attributes: readonly Attribute[];
}

export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState?: string;
  readonly attributes: readonly Attribute[];
}

/** Zipkin's view of a host; kept so a Zipkin span survives a round trip. */
export interface Endpoint {
  readonly serviceName?: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly port?: number;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
  readonly attributes?: readonly Attribute[];
}

export interface Span {
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentId?: string;
  name: string;
  /** `service.name` of the resource (or Zipkin's local endpoint); '' when the source had none. */
  service: string;
  kind: SpanKind;
  startUs: number;
  durationUs: number;
  attributes: readonly Attribute[];
  resource: readonly Attribute[];
  scope?: InstrumentationScope;
  events: readonly SpanEvent[];
  links: readonly SpanLink[];
  status: { readonly code: StatusCode; readonly message?: string };
  traceState?: string;
  flags?: number;
  /** Zipkin: the server half of an RPC that reuses its client's span id. */
  shared?: boolean;
  /** Zipkin: force-sampled. */
  debug?: boolean;
  localEndpoint?: Endpoint;
  remoteEndpoint?: Endpoint;
}

/** The wire formats the core can read; `detectFormat` names one of these. */
export type TraceFormat =
  | 'zipkin-v2'
  | 'otlp-json'
  | 'tempo-v1'
  | 'tempo-v2'
  | 'jaeger-json'
  | 'jaeger-v3'
  | 'otlp-proto'
  | 'jaeger-thrift'
  | 'otel-python-console';

/** The formats the core can write. */
export type EncodeFormat = 'zipkin' | 'otlp-json' | 'otlp-proto' | 'jaeger';

export const EMPTY_ATTRIBUTES: readonly Attribute[] = Object.freeze([]);

export function newSpan(traceId: string, spanId: string): Span {
  return {
    traceId,
    spanId,
    name: '',
    service: '',
    kind: 'unspecified',
    startUs: NaN,
    durationUs: NaN,
    attributes: EMPTY_ATTRIBUTES,
    resource: EMPTY_ATTRIBUTES,
    events: [],
    links: [],
    status: { code: 'unset' },
  };
}

/** First value of `key` in a list, or undefined. Linear: attribute lists are short. */
export function attr(list: readonly Attribute[], key: string): AttrValue | undefined {
  for (let i = 0; i < list.length; i++) {
    if (list[i].key === key) return list[i].value;
  }
  return undefined;
}

/** An attribute value as display/tag text (Zipkin tags, search, the details pane). */
export function attrText(value: AttrValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
