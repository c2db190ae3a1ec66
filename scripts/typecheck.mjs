// Type-checks each source folder with its own tsconfig: src/shared has neither Node nor DOM typings,
// so a `vscode`, `node:` or `document` use there fails here.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let failed = false;
for (const project of ['src/shared', 'src/node', 'src/extension', 'src/cli', 'src/webview', 'test']) {
  if (!existsSync(join(root, project, 'tsconfig.json'))) continue;
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
    console.log(`typecheck ${project}: ok`);
  } catch {
    console.log(`typecheck ${project}: FAILED`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
