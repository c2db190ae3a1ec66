// `npm start`: build the extension and open a real VS Code with it on a demo workspace — the desktop
// `code` when it is installed, else code-server on http://127.0.0.1:<port> (printed). Once the
// extension's local receiver answers, the demo program sends a few traces so the tree fills at once.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, freePort, startCodeServer } from './code-server.mjs';

const workspace = join(ROOT, '.cache', 'demo-workspace');
execFileSync(process.execPath, [join(ROOT, 'esbuild.js')], { stdio: 'inherit', cwd: ROOT });
rmSync(workspace, { recursive: true, force: true });
mkdirSync(workspace, { recursive: true });
cpSync(join(ROOT, 'test/fixtures/examples'), workspace, { recursive: true });
cpSync(join(ROOT, 'demo'), workspace, { recursive: true });

async function portFree(port) {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
// The conventional ports when they are free, so SDKs with default settings just work.
const otlpPort = (await portFree(4318)) ? 4318 : await freePort();
const zipkinPort = (await portFree(9411)) ? 9411 : await freePort();

async function sendDemoTracesWhenReady() {
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${otlpPort}/health`);
      const r = spawnSync(process.execPath, [join(workspace, 'checkout-service.mjs'), '4'], { cwd: workspace, env: { ...process.env, OTLP_PORT: String(otlpPort) }, encoding: 'utf8' });
      console.log(r.stdout.trim() || r.stderr.trim());
      return;
    } catch {
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
}

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.env.TRACE_EXPLORER_USE_CODE_SERVER) {
  console.log('Opening VS Code with the extension in development mode…');
  spawn('code', ['--extensionDevelopmentPath', ROOT, workspace], { stdio: 'ignore', detached: true }).unref();
  console.log(`(if the local receiver ports differ from 4318/9411, set traceExplorer.local.otlpPort/zipkinPort)`);
  await sendDemoTracesWhenReady();
} else {
  if (!existsSync(join(ROOT, '.cache/code-server/.installed-4.100.3'))) {
    execFileSync('bash', [join(ROOT, 'scripts/install-system-deps.sh'), '--code-server'], { stdio: 'inherit' });
    execFileSync('bash', [join(ROOT, 'scripts/setup-code-server.sh')], { stdio: 'inherit' });
  }
  const port = Number(process.env.PORT ?? 8080);
  const server = await startCodeServer({
    folder: workspace,
    port: (await portFree(port)) ? port : await freePort(),
    keepState: join(ROOT, '.cache', 'demo-state'),
    settings: { 'traceExplorer.local.otlpPort': otlpPort, 'traceExplorer.local.zipkinPort': zipkinPort },
  });
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${ROOT}`]]);
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
  console.log(`\nVS Code (code-server) with Trace Explorer is running. Open this in a browser:\n\n  ${url}\n`);
  console.log(`Local receiver: OTLP http://127.0.0.1:${otlpPort}/v1/traces, Zipkin http://127.0.0.1:${zipkinPort}/api/v2/spans. Ctrl+C stops.`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await sendDemoTracesWhenReady();
}
