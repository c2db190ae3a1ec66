// A real Jaeger client (jaeger-client for Node, Thrift over UDP to the agent's binary port, or over HTTP
// to the collector) reports a small trace: checkout → charge (with an error tag and a log) → ledger.
// Usage: node emit-jaeger.mjs udp PORT | http URL
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { initTracer } = require('jaeger-client');
const [how, where] = process.argv.slice(2);
const reporter = how === 'udp' ? { agentHost: '127.0.0.1', agentPort: Number(where), flushIntervalMs: 50 } : { collectorEndpoint: where, flushIntervalMs: 50 };
const errors = [];
const tracer = initTracer(
  { serviceName: `node-jaeger-${how}`, sampler: { type: 'const', param: 1 }, reporter },
  { tags: { 'client.kind': how }, logger: { info: () => {}, error: (m) => errors.push(m) } },
);
const root = tracer.startSpan('checkout', { tags: { 'span.kind': 'server', 'http.status_code': 200 } });
const charge = tracer.startSpan('charge', { childOf: root, tags: { 'span.kind': 'client', error: true, 'amount.cents': 1250, ratio: 0.5 } });
charge.log({ event: 'retry', attempt: 2 });
const ledger = tracer.startSpan('ledger', { childOf: charge });
ledger.finish();
charge.finish();
root.finish();
tracer.close(() => {
  if (errors.length) {
    console.error(errors.join('\n'));
    process.exit(1);
  }
  console.log(root.context().toTraceId());
});
