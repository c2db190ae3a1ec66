// Creates the Python environments the SDK tests run, each a venv in .cache/ with exact packages:
// - .cache/python: the current OpenTelemetry Python SDK and exporters (test/sdk/python/requirements.txt);
// - .cache/python-jaeger: the Jaeger Thrift exporter's last release and the SDK it works with
//   (test/sdk/python/jaeger-requirements.txt), which newer SDKs no longer support.
// Cached: a stamp holding the requirements' content skips the work when nothing changed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const python = process.env.PYTHON ?? 'python3';

for (const [dir, requirements] of [
  ['python', 'requirements.txt'],
  ['python-jaeger', 'jaeger-requirements.txt'],
]) {
  const venv = join(root, '.cache', dir);
  const reqFile = join(root, 'test', 'sdk', 'python', requirements);
  const stamp = join(venv, '.requirements');
  const wanted = readFileSync(reqFile, 'utf8');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
    console.log(`python SDK: up to date in .cache/${dir}`);
    continue;
  }
  console.log(`python SDK: creating .cache/${dir} with ${python} and installing test/sdk/python/${requirements}`);
  execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', reqFile], { stdio: 'inherit' });
  writeFileSync(stamp, wanted);
}
