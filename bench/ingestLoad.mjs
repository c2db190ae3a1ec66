// Load generator for the ingest benchmark, in its own process (its own core): posts the given bodies
// round-robin to URL over keep-alive connections for SECONDS, then prints {requests, failures, ms, cpuMs}.
// Bounded in time and in count; loopback only. Usage: node ingestLoad.mjs URL SECONDS BODIES_FILE
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

const [url, seconds, file] = process.argv.slice(2);
const bodies = JSON.parse(readFileSync(file, 'utf8')).map((b) => Buffer.from(b, 'base64'));
const u = new URL(url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) throw new Error('loopback only');
const pool = new Pool(u.origin, { connections: 8, pipelining: 1 });
const end = Date.now() + Number(seconds) * 1000;
const MAX_REQUESTS = 1_000_000;
let requests = 0;
let failures = 0;
let i = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
async function worker() {
  while (Date.now() < end && requests + failures < MAX_REQUESTS) {
    const body = bodies[i++ % bodies.length];
    try {
      const res = await pool.request({ path: u.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
      await res.body.dump();
      if (res.statusCode === 200) requests++;
      else failures++;
    } catch {
      failures++;
    }
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await pool.close();
console.log(JSON.stringify({ requests, failures, ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
