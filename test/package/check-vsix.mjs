// Packages the extension with @vscode/vsce exactly as `npm run package` does (`vsce package
// --no-rewrite-relative-links`: the repository has no public URL to rewrite the README's image links to,
// so the images ship in the package, where VS Code's extension page finds them) and checks the .vsix
// holds the bundles, the docs and the README's images, and nothing else: no sources, maps or tests.
// Prints `N passed, N failed` like the other suites.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  const log = execFileSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-rewrite-relative-links', '--out', vsix], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  check('vsce package succeeds without warnings', !/WARNING/i.test(log), log);
  const list = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const files = list.filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
  console.log(`vsix: ${files.length} files in extension/: ${files.join(', ')}`);
  for (const needed of ['package.json', 'readme.md', 'LICENSE.txt', 'changelog.md', 'dist/extension.js', 'dist/cli.js', 'dist/webview.js', 'dist/compare.js', 'media/compare.css', 'media/base.css']) {
    check(`contains ${needed}`, files.some((f) => f.toLowerCase() === needed.toLowerCase()), files.join(', '));
  }
  const images = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((u) => !/^https?:/.test(u));
  const missing = images.filter((img) => !files.includes(img));
  check(`contains the ${images.length} images the README shows`, images.length > 0 && missing.length === 0, `missing: ${missing.join(', ')}`);
  const junk = files.filter((f) => /^(src|test|bench|scripts|node_modules|\.cache|out)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') || f.startsWith('.'));
  check('contains no sources, tests, maps, caches or node_modules', junk.length === 0, junk.join(', '));
} catch (e) {
  check('vsce package runs', false, String(e.stderr ?? e.message ?? e));
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
