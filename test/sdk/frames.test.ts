/**
 * Stack frames as the real runtimes print them: Python, Node.js, Java and Go each throw from a known
 * file and line here, and the frame parser must find that file and line in what they printed.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStackFrames } from '../../src/shared/source/spanSources';

const dir = mkdtempSync(join(tmpdir(), 'te-frames-'));

function run(cmd: string, args: string[], file: string, source: string): string {
  writeFileSync(join(dir, file), source);
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'off' } });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  const out = `${r.stdout}\n${r.stderr}`;
  assert.notEqual(r.status, 0, `${cmd} should have failed; it printed:\n${out}`);
  return out;
}

describe('stack frames printed by the real runtimes', function () {
  this.timeout(180_000);

  it('Python traceback: the raising function\'s file and line', () => {
    const out = run('python3', ['svc.py'], 'svc.py', 'def handler():\n    raise ValueError("boom")\n\nhandler()\n');
    const frames = parseStackFrames(out);
    assert.ok(frames.some((f) => f.path.endsWith('svc.py') && f.line === 2), JSON.stringify(frames));
  });

  it('Node.js error stack: file, line and column of the throw', () => {
    const out = run(process.execPath, ['run.js'], 'run.js', 'function fail() {\n  throw new Error("boom");\n}\nfail();\n');
    const frames = parseStackFrames(out);
    assert.ok(frames.some((f) => f.path === join(dir, 'run.js') && f.line === 2 && f.column === 9), JSON.stringify(frames));
  });

  it('Java exception: the class file by package path and line', () => {
    const src = 'package com.example;\n\npublic class Demo {\n  static void b() {\n    throw new IllegalStateException("boom");\n  }\n  public static void main(String[] a) { b(); }\n}\n';
    const out = run('java', ['Demo.java'], 'Demo.java', src);
    const frames = parseStackFrames(out);
    assert.ok(frames.some((f) => f.path === 'com/example/Demo.java' && f.line === 5), JSON.stringify(frames));
  });

  it('Go panic: the file and line of the panicking function', () => {
    const src = 'package main\n\nfunc handler() {\n\tpanic("boom")\n}\n\nfunc main() { handler() }\n';
    const out = run('go', ['run', 'main.go'], 'main.go', src);
    const frames = parseStackFrames(out);
    assert.ok(frames.some((f) => f.path.endsWith('/main.go') && f.line === 4), `${JSON.stringify(frames)}\n${out}`);
  });
});
