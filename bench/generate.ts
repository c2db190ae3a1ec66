/**
 * Deterministic synthetic traces for benchmarks and large-trace tests: a realistic shape (a few
 * services, fan-out of 1–8, depth up to ~12, HTTP/DB attributes, some events and errors).
 */
import type { Attribute, Span, SpanKind } from '../src/shared/model';


/** A small seedable PRNG (mulberry32) so every run builds the same trace. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = ['frontend', 'checkout', 'payments', 'cart', 'inventory', 'shipping', 'email', 'auth', 'search', 'recommendations'];
const OPS = ['GET /api/cart', 'POST /api/checkout', 'SELECT orders', 'redis GET', 'grpc Charge', 'publish order.created', 'render', 'validate'];

export function generateTrace(spanCount: number, seed = 42): Span[] {
  const rnd = prng(seed);
  const hex = (digits: number): string => {
    let s = '';
    while (s.length < digits) s += Math.floor(rnd() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, digits);
  };
  const traceId = hex(32);
  const resources = SERVICES.map((name): Attribute[] => [
    { key: 'service.name', value: name },
    { key: 'host.name', value: `${name}-7d9f8-${Math.floor(rnd() * 1000)}` },
    { key: 'telemetry.sdk.language', value: 'nodejs' },
  ]);
  const spans: Span[] = [];
  const t0 = 1_795_000_000_000_000;
  // Breadth-first growth keeps the tree bushy but deep enough to be interesting.
  const open: number[] = [];
  const depth: number[] = [];
  const parentOf: number[] = [];
  for (let i = 0; i < spanCount; i++) {
    let parentIndex = i === 0 ? -1 : open[Math.floor(rnd() * Math.min(open.length, 64)) + Math.max(0, open.length - 64)];
    // Real traces are wide rather than deep: past 12 levels, hang the span higher up instead.
    if (parentIndex >= 0 && depth[parentIndex] >= 12) {
      const target = 2 + Math.floor(rnd() * 7);
      while (depth[parentIndex] > target) parentIndex = parentOf[parentIndex];
    }
    depth.push(parentIndex >= 0 ? depth[parentIndex] + 1 : 0);
    parentOf.push(parentIndex);
    const parent = parentIndex >= 0 ? spans[parentIndex] : undefined;
    const svc = parent && rnd() < 0.7 ? SERVICES.indexOf(parent.service) : Math.floor(rnd() * SERVICES.length);
    const start = parent ? parent.startUs + Math.floor(rnd() * Math.max(1, parent.durationUs * 0.5)) : t0;
    const duration = parent ? Math.max(1, Math.floor(parent.durationUs * (0.2 + rnd() * 0.6))) : 30_000_000;
    const kind: SpanKind = (['server', 'client', 'internal', 'producer', 'consumer'] as const)[Math.floor(rnd() * 5)];
    const error = rnd() < 0.01;
    const span: Span = {
      traceId,
      spanId: hex(16),
      name: OPS[Math.floor(rnd() * OPS.length)],
      service: SERVICES[svc],
      kind,
      startUs: start,
      durationUs: duration,
      attributes: [
        { key: 'http.method', value: 'GET' },
        { key: 'http.route', value: `/api/items/${i % 97}` },
        { key: 'http.status_code', value: error ? 500 : 200 },
        { key: 'db.statement', value: `SELECT * FROM items WHERE id = ${i}` },
        { key: 'code.file.path', value: `/app/src/handlers/h${i % 13}.ts` },
        { key: 'code.line.number', value: (i % 400) + 1 },
      ],
      resource: resources[svc],
      events: rnd() < 0.1 ? [{ timeUs: start + 1, name: 'cache.miss', attributes: [{ key: 'key', value: `item:${i}` }] }] : [],
      links: [],
      status: error ? { code: 'error', message: 'upstream returned 500' } : { code: 'unset' },
      scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.0' },
    };
    if (parent) span.parentId = parent.spanId;
    spans.push(span);
    open.push(i);
  }
  return spans;
}
