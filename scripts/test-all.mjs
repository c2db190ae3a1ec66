// `npm test`: everything CI checks, in order, on this machine. Each step's output streams through;
// mocha counts are collected so the run ends with one line `N passed, N failed` for all suites.
// Set TEST_ONLY=unit,cli,… to run a subset.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.env.TEST_ONLY?.split(',');
const mocha = (config) => ['node', [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...(config ? ['--config', config] : [])]];

/** name, command, args, and whether its output carries mocha or `N passed, N failed` counts */
const steps = [
  // Installs missing system packages when run as root (instant when all are there), so `npm ci && npm test`
  // is the whole set-up on a fresh machine; otherwise it names what is missing.
  ['system-deps', 'bash', ['scripts/install-system-deps.sh']],
  ['build', 'node', ['esbuild.js']],
  ['typecheck', 'node', ['scripts/typecheck.mjs']],
  ['lint', 'node', [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.']],
  ['unit', ...mocha()],
  ['cli', ...mocha('test/cli/.mocharc.json')],
  ['python-sdk-setup', 'node', ['scripts/setup-python.mjs']],
  ['sdk', ...mocha('test/sdk/.mocharc.json')],
  ['peers-setup', 'bash', ['scripts/setup-peers.sh']],
  ['backends', ...mocha('test/backends/.mocharc.json')],
  ['webview', ...mocha('test/webview/.mocharc.json')],
  ['vsix', 'node', ['test/package/check-vsix.mjs']],
  ['code-server-setup', 'bash', ['scripts/setup-code-server.sh']],
  ['integration', 'node', ['test/integration/run.mjs']],
  ['e2e', ...mocha('test/e2e/.mocharc.json')],
];

function run(name, cmd, args) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name}: ${cmd} ${args.map((a) => a.replace(root + '/', '')).join(' ')}`);
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

let passed = 0;
let failed = 0;
const failedSteps = [];
const started = Date.now();
for (const [name, cmd, args] of steps) {
  if (only && !only.includes(name)) continue;
  const t = Date.now();
  const { code, out } = await run(name, cmd, args);
  const mp = /(\d+) passing/.exec(out);
  const mf = /(\d+) failing/.exec(out);
  const pf = /^(\d+) passed, (\d+) failed/m.exec(out);
  let p = 0;
  let f = 0;
  if (mp || mf) {
    p = Number(mp?.[1] ?? 0);
    f = Number(mf?.[1] ?? 0);
  } else if (pf) {
    p = Number(pf[1]);
    f = Number(pf[2]);
  } else if (code === 0) p = 1; // a step without tests of its own (build, typecheck, lint) counts as one check
  if (code !== 0 && f === 0) f = 1;
  passed += p;
  failed += f;
  if (code !== 0) failedSteps.push(name);
  console.log(`=== ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
console.log(`\nall steps done in ${((Date.now() - started) / 1000).toFixed(0)} s${failedSteps.length ? `; failed: ${failedSteps.join(', ')}` : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed || failedSteps.length ? 1 : 0;
