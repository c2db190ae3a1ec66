// The same integration suite under @vscode/test-electron, for machines that can download VS Code
// (`npm run test:integration:electron`). Offline machines, and CI here, use run.mjs (code-server).
import { runTests } from '@vscode/test-electron';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSuite, makeWorkspace } from './run.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
await buildSuite();
const workspace = makeWorkspace();
try {
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'out/test/integration/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`integration (electron): ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
