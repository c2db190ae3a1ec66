// A small instrumented program: a "checkout" request that calls inventory and payments, one of
// which fails. It exports its spans with the real OpenTelemetry JS SDK over OTLP/HTTP to the
// built-in local receiver of Trace Explorer (http://127.0.0.1:4318 unless OTLP_PORT says otherwise).
//
//   node checkout-service.mjs            # one trace
//   node checkout-service.mjs 5          # five traces
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { fileURLToPath } from 'node:url';

const port = process.env.OTLP_PORT ?? '4318';
const file = fileURLToPath(import.meta.url);
const providers = new Map();
function tracerFor(service) {
  if (!providers.has(service)) {
    providers.set(service, new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'host.name': `${service}-1` }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }))],
    }));
  }
  return providers.get(service).getTracer('demo', '1.0.0');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Run `fn` in a span that records where in this file it was started (code.* attributes). The parent
 * context is passed explicitly: a plain Node program has no context manager registered.
 */
async function inSpan(parent, service, name, kind, line, fn) {
  const span = tracerFor(service).startSpan(name, { kind, attributes: { 'code.file.path': file, 'code.line.number': line, 'code.function.name': name } }, parent);
  try {
    return await fn(span, trace.setSpan(parent, span));
  } catch (e) {
    span.recordException(e);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
    throw e;
  } finally {
    span.end();
  }
}

function chargeCard(amount) {
  if (amount > 100) throw new Error(`card declined for ${amount} EUR`);
}

async function checkout(amount) {
  return inSpan(context.active(), 'frontend', 'POST /checkout', SpanKind.SERVER, 49, async (span, ctx) => { traceIds.push(span.spanContext().traceId);
    span.setAttribute('http.request.method', 'POST');
    await inSpan(ctx, 'inventory', 'reserve items', SpanKind.INTERNAL, 51, async (_, inner) => {
      await inSpan(inner, 'inventory', 'SELECT stock', SpanKind.CLIENT, 52, () => sleep(8));
      await sleep(5);
    });
    await inSpan(ctx, 'payments', 'charge card', SpanKind.SERVER, 55, async () => {
      await sleep(12);
      chargeCard(amount);
    }).catch(() => span.setAttribute('checkout.failed', true));
    await inSpan(ctx, 'email', 'send receipt', SpanKind.PRODUCER, 59, () => sleep(3));
  });
}

const count = Number(process.argv[2] ?? 1); const traceIds = [];
for (let i = 0; i < count; i++) await checkout(i % 2 ? 150 : 40);
await Promise.all([...providers.values()].map((p) => p.shutdown()));
console.log(`sent ${count} checkout trace${count === 1 ? '' : 's'} to http://127.0.0.1:${port}/v1/traces: ${traceIds.join(' ')}`);
