// Starts the code-server installed by scripts/setup-code-server.sh (a real VS Code 1.100.3 served over
// HTTP) with throwaway state, so nothing lands in $HOME. Used by the integration runner, the
// end-to-end journeys and `npm start`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const ENTRY = join(ROOT, '.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ folder: string, port?: number, settings?: object, extensionsDir?: string, keepState?: string }} options
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void>, stateDir: string }>}
 */
export async function startCodeServer(options) {
  if (!existsSync(ENTRY)) throw new Error(`code-server is not installed at ${ENTRY}: run \`bash scripts/setup-code-server.sh\` (npm test does)`);
  const port = options.port ?? (await freePort());
  const state = options.keepState ?? mkdtempSync(join(tmpdir(), 'te-code-server-'));
  const userData = join(state, 'user-data');
  const extensions = options.extensionsDir ?? join(state, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': false,
    'update.mode': 'none',
    'remote.autoForwardPorts': false, // the local receiver's ports are not something to forward
    'git.openRepositoryInParentFolders': 'never',
    'workbench.enableExperiments': false,
    ...(options.settings ?? {}),
  };
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const config = join(state, 'config.yaml');
  writeFileSync(config, 'auth: none\n');
  const xdg = (name) => join(state, 'xdg', name);
  const child = spawn(
    process.execPath,
    [ENTRY, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--user-data-dir', userData, '--extensions-dir', extensions, '--config', config, '--bind-addr', `127.0.0.1:${port}`, options.folder],
    {
      detached: true, // its own process group, so stop() ends every child it spawned
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CONFIG_HOME: xdg('config'), XDG_DATA_HOME: xdg('data'), XDG_CACHE_HOME: xdg('cache'), XDG_STATE_HOME: xdg('state') },
    },
  );
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it was ready:\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid, 'SIGKILL');
      throw new Error(`code-server did not answer /healthz within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    stateDir: state,
    log: () => log,
    stop: async () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (!options.keepState) rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Launch Debian's Chromium through playwright-core, headless, with the flags this offline machine needs. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
