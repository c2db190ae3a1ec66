// Emit one small trace with the real OpenTelemetry JS SDK through its OTLP/HTTP JSON, OTLP/HTTP
// protobuf and Zipkin exporters. Usage: node emit.mjs BASE_URL
import { trace, SpanKind, SpanStatusCode, context } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as OtlpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';

const base = process.argv[2];
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'js-sdk-service' }),
  spanProcessors: [
    new SimpleSpanProcessor(new OtlpJson({ url: `${base}/v1/traces` })),
    new SimpleSpanProcessor(new OtlpProto({ url: `${base}/v1/traces` })),
    new SimpleSpanProcessor(new ZipkinExporter({ url: `${base}/api/v2/spans`, serviceName: 'js-sdk-service' })),
  ],
});
const tracer = provider.getTracer('contract-test', '1.0.0');

function fail() {
  throw new Error('boom from node');
}

const root = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.status_code': 500, 'big.count': 12345678901 } });
const rootCtx = trace.setSpan(context.active(), root);
const child = tracer.startSpan('charge', { kind: SpanKind.CLIENT, attributes: { 'code.file.path': new URL(import.meta.url).pathname, 'code.line.number': 18 } }, rootCtx);
try {
  fail();
} catch (e) {
  child.recordException(e);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom from node' });
}
child.addEvent('retry', { attempt: 2 });
child.end();
root.end();
await provider.forceFlush();
await provider.shutdown();
