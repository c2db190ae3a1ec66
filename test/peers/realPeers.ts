/**
 * Start the real Zipkin server and the real Jaeger all-in-one on free loopback ports, from the binaries
 * `scripts/setup-peers.sh` caches. A peer that is missing or does not become healthy fails the test with
 * a message that says why and where its log is; nothing is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root, found upwards from here: this file also runs bundled into out/test/…. */
function findRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'scripts', 'setup-peers.sh')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const ROOT = findRoot();
const CACHE = join(ROOT, '.cache', 'peers');
export const ZIPKIN_JAR = join(CACHE, 'zipkin-server-3.5.1-exec.jar');
export const JAEGER_BIN = join(CACHE, 'jaeger-1.76.0');

export interface Peer {
  name: string;
  /** Query API base URL. */
  url: string;
  /** Where spans are posted (Zipkin JSON for Zipkin, OTLP/HTTP for Jaeger). */
  ingestUrl: string;
  /** Jaeger's Zipkin receiver. */
  zipkinIngestUrl?: string;
  log: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function launch(name: string, cmd: string, args: string[], env: Record<string, string>): { child: ChildProcess; log: string } {
  const dir = mkdtempSync(join(tmpdir(), `te-${name}-`));
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true, cwd: dir });
  return { child, log };
}

async function waitHealthy(name: string, url: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`${name} exited with code ${exited} before it was ready; its log ${log} ends:\n${tail(log)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  kill(child);
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s; its log ${log} ends:\n${tail(log)}`);
}

function tail(log: string): string {
  try {
    return readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

function kill(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      kill(child);
    });
}

/** The real Zipkin server, in-memory, with a lookback long enough for the reference examples' old timestamps. */
export async function startZipkin(): Promise<Peer> {
  if (!existsSync(ZIPKIN_JAR)) throw new Error(`the Zipkin server jar is missing (${ZIPKIN_JAR}): run scripts/setup-peers.sh`);
  const port = await freePort();
  const { child, log } = launch('zipkin', 'java', ['-Xms64m', '-Xmx512m', '-XX:TieredStopAtLevel=1', '-jar', ZIPKIN_JAR], {
    STORAGE_TYPE: 'mem',
    QUERY_PORT: String(port),
    QUERY_LOOKBACK: String(20 * 365 * 86_400_000),
    COLLECTOR_SCRIBE_ENABLED: 'false',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy('Zipkin', `${url}/health`, child, log, 90_000);
  return { name: 'zipkin', url, ingestUrl: `${url}/api/v2/spans`, log, stop: stopper(child) };
}

/** The real Jaeger v2 all-in-one with in-memory storage, its receivers and query API on free loopback ports. */
export async function startJaeger(): Promise<Peer> {
  if (!existsSync(JAEGER_BIN)) throw new Error(`the Jaeger binary is missing (${JAEGER_BIN}): run scripts/setup-peers.sh`);
  const [query, grpc, otlp, zipkin, health] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const dir = mkdtempSync(join(tmpdir(), 'te-jaeger-config-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp, zipkin]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${health}
  jaeger_query:
    storage:
      traces: mem
    http:
      endpoint: 127.0.0.1:${query}
    grpc:
      endpoint: 127.0.0.1:${grpc}
  jaeger_storage:
    backends:
      mem:
        memory:
          max_traces: 200000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
  zipkin:
    endpoint: 127.0.0.1:${zipkin}
processors:
  batch:
    timeout: 50ms
exporters:
  jaeger_storage_exporter:
    trace_storage: mem
`,
  );
  const { child, log } = launch('jaeger', JAEGER_BIN, [`--config=file:${config}`], {});
  const url = `http://127.0.0.1:${query}`;
  await waitHealthy('Jaeger', `${url}/api/services`, child, log, 60_000);
  return { name: 'jaeger', url, ingestUrl: `http://127.0.0.1:${otlp}/v1/traces`, zipkinIngestUrl: `http://127.0.0.1:${zipkin}/api/v2/spans`, log, stop: stopper(child) };
}
