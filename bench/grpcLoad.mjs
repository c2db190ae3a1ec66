// Load generator for the gRPC ingest benchmark, in its own process: unary OTLP Export calls, framed by
// hand, round-robin over the given bodies, 8 at a time over 2 HTTP/2 sessions for SECONDS; prints
// {requests, failures, ms, cpuMs}. Bounded in time and count; loopback only.
// Usage: node grpcLoad.mjs HOST:PORT SECONDS BODIES_FILE
import { readFileSync } from 'node:fs';
import { connect } from 'node:http2';

const [target, seconds, file] = process.argv.slice(2);
const [host, port] = target.split(':');
if (!['127.0.0.1', 'localhost'].includes(host)) throw new Error('loopback only');
const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const bodies = JSON.parse(readFileSync(file, 'utf8')).map((b) => {
  const msg = Buffer.from(b, 'base64');
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(msg.length, 1);
  return Buffer.concat([prefix, msg]);
});
const sessions = [connect(`http://${host}:${port}`), connect(`http://${host}:${port}`)];
const end = Date.now() + Number(seconds) * 1000;
const MAX_REQUESTS = 1_000_000;
let requests = 0;
let failures = 0;
let i = 0;
function once(session, body) {
  return new Promise((resolve) => {
    const req = session.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers' });
    let status = -1;
    req.on('response', (h) => h['grpc-status'] !== undefined && (status = Number(h['grpc-status'])));
    req.on('trailers', (t) => (status = Number(t['grpc-status'])));
    req.on('data', () => {});
    req.on('end', () => resolve(status === 0));
    req.on('error', () => resolve(false));
    req.end(body);
  });
}
const t0 = performance.now();
const cpu0 = process.cpuUsage();
async function worker(k) {
  while (Date.now() < end && requests + failures < MAX_REQUESTS) {
    if (await once(sessions[k % 2], bodies[i++ % bodies.length])) requests++;
    else failures++;
  }
}
await Promise.all(Array.from({ length: 8 }, (_, k) => worker(k)));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
for (const s of sessions) s.close();
console.log(JSON.stringify({ requests, failures, ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
