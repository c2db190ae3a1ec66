// Packages the extension with @vscode/vsce exactly as a publisher would (`vsce package`) and checks the
// .vsix holds the bundles and docs and nothing else: no sources, no maps, no node_modules, no tests.
// Prints `N passed, N failed` like the other suites.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'te-vsix-'));
const vsix = join(out, 'trace-explorer.vsix');
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? '  ✔' : '  ✘'} ${name}${ok || !detail ? '' : `\n      ${detail}`}`);
}

try {
  const log = execFileSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--out', vsix], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  check('vsce package succeeds without warnings', !/WARNING/i.test(log), log);
  const list = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const files = list.filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
  console.log(`vsix: ${files.length} files in extension/: ${files.join(', ')}`);
  for (const needed of ['package.json', 'readme.md', 'LICENSE.txt', 'changelog.md', 'dist/extension.js', 'dist/cli.js']) {
    check(`contains ${needed}`, files.some((f) => f.toLowerCase() === needed.toLowerCase()), files.join(', '));
  }
  const junk = files.filter((f) => /^(src|test|bench|scripts|node_modules|\.cache|out)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') || f.startsWith('.'));
  check('contains no sources, tests, maps, caches or node_modules', junk.length === 0, junk.join(', '));
} catch (e) {
  check('vsce package runs', false, String(e.stderr ?? e.message ?? e));
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
