// Emit one small trace with the real OpenTelemetry JS SDK through its OTLP/HTTP JSON, OTLP/HTTP
// protobuf and Zipkin exporters. Usage: node emit.mjs BASE_URL, or
// node emit.mjs [--otlp-proto URL] [--otlp-json URL] [--zipkin URL] [--otlp-grpc URL] for only those exporters
// (one backend each; OTLP/gRPC gzip-compressed, without TLS).
// Prints the trace id.
import { trace, SpanKind, SpanStatusCode, context } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as OtlpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { OTLPTraceExporter as OtlpGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';

const args = process.argv.slice(2);
const urls = args[0]?.startsWith('--')
  ? Object.fromEntries(args.flatMap((a, i) => (i % 2 === 0 ? [[a.slice(2), args[i + 1]]] : [])))
  : { 'otlp-json': `${args[0]}/v1/traces`, 'otlp-proto': `${args[0]}/v1/traces`, zipkin: `${args[0]}/api/v2/spans` };
const spanProcessors = [];
if (urls['otlp-json']) spanProcessors.push(new SimpleSpanProcessor(new OtlpJson({ url: urls['otlp-json'] })));
if (urls['otlp-proto']) spanProcessors.push(new SimpleSpanProcessor(new OtlpProto({ url: urls['otlp-proto'] })));
if (urls['otlp-grpc']) spanProcessors.push(new SimpleSpanProcessor(new OtlpGrpc({ url: urls['otlp-grpc'], compression: 'gzip' })));
if (urls.zipkin) spanProcessors.push(new SimpleSpanProcessor(new ZipkinExporter({ url: urls.zipkin, serviceName: 'js-sdk-service' })));
const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'js-sdk-service' }), spanProcessors });
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
console.log(root.spanContext().traceId);
