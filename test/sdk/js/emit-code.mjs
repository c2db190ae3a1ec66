// A span from the real OpenTelemetry JS SDK whose code.* attributes (semconv 1.30) point at a file
// and line given on the command line, plus an exception recorded from this script (a stack frame
// outside the workspace). Exported over OTLP/HTTP protobuf. Usage: node emit-code.mjs OTLP_URL FILE LINE
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';

const [url, file, line] = process.argv.slice(2);
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'jump-demo' }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url }))],
});
const span = provider.getTracer('jump-test').startSpan('handle order', {
  attributes: { 'code.file.path': file, 'code.line.number': Number(line), 'code.column.number': 3, 'code.function.name': 'handleOrder' },
});
span.recordException(new Error('declined'));
span.setStatus({ code: SpanStatusCode.ERROR, message: 'declined' });
span.end();
await provider.forceFlush();
await provider.shutdown();
console.log(span.spanContext().traceId);
