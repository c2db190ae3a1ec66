// Creates .cache/python (a venv) with the exact OpenTelemetry Python packages the SDK contract tests
// run. Cached: a stamp holding the requirements' content skips the work when nothing changed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const venv = join(root, '.cache', 'python');
const reqFile = join(root, 'test', 'sdk', 'python', 'requirements.txt');
const stamp = join(venv, '.requirements');
const wanted = readFileSync(reqFile, 'utf8');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
  console.log('python SDK: up to date in .cache/python');
} else {
  const python = process.env.PYTHON ?? 'python3';
  console.log(`python SDK: creating .cache/python with ${python} and installing test/sdk/python/requirements.txt`);
  execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', reqFile], { stdio: 'inherit' });
  writeFileSync(stamp, wanted);
}
