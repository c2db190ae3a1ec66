// Builds every bundle: the extension host (node, `vscode` external), the CLI (node) and, when its
// sources exist, the webview (browser). `--production` minifies; `--watch` rebuilds on change.
// Type-checking is separate (`npm run typecheck`), as esbuild only strips types.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Print errors as `file:line:col: message` so VS Code's $esbuild-watch problem matcher finds them. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  minify: production,
  logLevel: 'silent',
  plugins: [problemMatcher],
  // protobufjs probes for optional modules with a disguised require; we hand it `long` explicitly.
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
};

const bundles = [
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20' },
];
if (fs.existsSync(path.join(__dirname, 'src/webview/main.ts'))) {
  bundles.push({ entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'chrome120' });
  bundles.push({ entryPoints: ['src/webview/compare/main.ts'], outfile: 'dist/compare.js', platform: 'browser', format: 'iife', target: 'chrome120' });
}

async function main() {
  const contexts = await Promise.all(bundles.map((b) => esbuild.context({ ...common, ...b })));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  try {
    const results = await Promise.all(contexts.map((c) => c.rebuild()));
    if (results.some((r) => r.errors.length)) process.exitCode = 1;
  } catch {
    process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
  try {
    fs.chmodSync(path.join(__dirname, 'dist/cli.js'), 0o755);
  } catch {
    // the CLI bundle failed; the error was printed above
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
