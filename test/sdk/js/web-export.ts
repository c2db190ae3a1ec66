/**
 * OpenTelemetry's browser exporter in a web page (bundled for the browser by the test): one trace,
 * page-load → fetch-cart, exported over OTLP/HTTP JSON to the receiver named in the page's URL
 * (`?to=http://127.0.0.1:PORT/v1/traces`). The result lands in `document.title`: `exported <traceId>`
 * or `failed <reason>`.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';

const to = new URLSearchParams(location.search).get('to') ?? '';
// A header makes the exporter use XHR (with a CORS preflight) instead of sendBeacon, whose failures are silent.
const exporter = new OTLPTraceExporter({ url: to, headers: { 'x-web-sdk': 'test' } });
const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'web-shop' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('web-export');
const root = tracer.startSpan('page-load');
const child = tracer.startSpan('fetch-cart', {}, trace.setSpan(context.active(), root));
child.end();
root.end();
provider
  .forceFlush()
  .then(() => exporter.forceFlush())
  .then(() => new Promise((r) => setTimeout(r, 300)))
  .then(async () => {
    // A "simple" request (text/plain, no preflight), which a browser sends to any origin without asking:
    // only the receiver itself can refuse it.
    const zipkin = [{ traceId: '000000000000000000000000feedbeef', id: '0000000000000001', name: 'simple-post', timestamp: Date.now() * 1000, duration: 1, localEndpoint: { serviceName: 'web-shop' } }];
    await fetch(to.replace(/\/v1\/traces$/, '/api/v2/spans'), { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(zipkin) }).catch(() => undefined);
    // SimpleSpanProcessor exports each span as it ends; the export's outcome is reported through this probe.
    const res = await fetch(to.replace(/\/v1\/traces$/, '/api/v2/trace/') + root.spanContext().traceId).catch((e: Error) => ({ status: `fetch failed: ${e.message}` }));
    document.title = `${res.status === 200 ? 'exported' : 'failed'} ${root.spanContext().traceId} ${res.status}`;
  });
