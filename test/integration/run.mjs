// Runs the integration suite (test/integration/suite/*.test.ts) inside the real extension host of a
// real VS Code — code-server 4.100.3, driven by headless Chromium — the offline equivalent of what
// @vscode/test-electron does (see runElectron.mjs for that). The extension and the suite are loaded
// through the workbench URL's `payload` (extensionDevelopmentPath + extensionTestsPath); the mocha
// report arrives through `codeAutomationLog`, the result through `codeAutomationExit`.
import { build } from 'esbuild';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { join } from 'node:path';
import { ROOT, launchChromium, startCodeServer } from '../../scripts/code-server.mjs';

const TIMEOUT_MS = Number(process.env.INTEGRATION_TIMEOUT_MS ?? 240000);

export async function buildSuite() {
  await build({
    entryPoints: [join(ROOT, 'test/integration/suite/index.ts')],
    outfile: join(ROOT, 'out/test/integration/index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

/** A fresh workspace holding the reference examples, so tests may write into it. */
export function makeWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'te-workspace-'));
  cpSync(join(ROOT, 'test/fixtures/examples'), dir, { recursive: true });
  return dir;
}

async function main() {
  await buildSuite();
  const workspace = makeWorkspace();
  // Free ports for the local receiver: the tests read them from the extension's API.
  const server = await startCodeServer({ folder: workspace, settings: { 'traceExplorer.local.otlpPort': 0, 'traceExplorer.local.zipkinPort': 0, 'traceExplorer.local.jaegerCompactPort': 0, 'traceExplorer.local.jaegerBinaryPort': 0, 'traceExplorer.local.jaegerHttpPort': 0, 'traceExplorer.local.grpcPort': 0 } });
  const browser = await launchChromium();
  const started = Date.now();
  let exitCode = 1;
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve) => {
      page.exposeFunction('codeAutomationLog', (level, args) => {
        // The extension host forwards console calls as (format, ...args): format them like console does.
        const text = format(...(Array.isArray(args) ? args : [args]));
        if (/open-vsx|vsda|Failed to load resource/.test(text)) return; // harmless offline noise
        process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ` + (text.endsWith('\n') ? text : text + '\n'));
      });
      page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(join(ROOT, 'out/test/integration/index.js'))],
    ]);
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
    await page.goto(url);
    const t0 = Date.now();
    // unref: once the result is in, this timer must not keep the process alive for minutes.
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS).unref());
    const result = await Promise.race([done, timeout]);
    console.log(`integration: result ${result} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (result === 'timeout') {
      console.error(`integration: no result from the extension host within ${TIMEOUT_MS / 1000} s`);
      await page.screenshot({ path: join(ROOT, 'test-results', 'integration-timeout.png') }).catch(() => {});
      exitCode = 1;
    } else exitCode = Number(result);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  console.log(`integration: extension host exited with ${exitCode}`);
  process.exitCode = exitCode;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  });
}
