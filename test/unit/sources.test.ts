import * as assert from 'node:assert/strict';
import { newSpan } from '../../src/shared/model';
import { codeAttributeRef, parseStackFrames, sourceRefsOfSpan } from '../../src/shared/source/spanSources';

describe('source locations from spans', () => {
  it('reads the semconv 1.30 code.* attributes', () => {
    assert.deepEqual(codeAttributeRef([
      { key: 'code.file.path', value: '/app/src/h.ts' },
      { key: 'code.line.number', value: 42 },
      { key: 'code.column.number', value: 7 },
      { key: 'code.function.name', value: 'handle' },
    ]), { label: 'handle — …/src/h.ts:42:7', path: '/app/src/h.ts', line: 42, column: 7 });
  });

  it('reads the older code.filepath/lineno/function + namespace spelling', () => {
    const ref = codeAttributeRef([
      { key: 'code.filepath', value: 'svc.py' },
      { key: 'code.lineno', value: '3' },
      { key: 'code.function', value: 'handler' },
      { key: 'code.namespace', value: 'app.views' },
    ]);
    assert.deepEqual(ref, { label: 'app.views.handler — svc.py:3', path: 'svc.py', line: 3, column: undefined });
  });

  it('parses Python, Node.js, Java, Go and .NET frames, skips runtime internals, and names the class file of a .NET frame without symbols', () => {
    const python = 'Traceback (most recent call last):\n  File "/app/svc.py", line 3, in handler\n    fail()\nValueError: boom';
    const node = 'Error: boom\n    at fail (/app/run.js:8:21)\n    at /app/run.js:12:3\n    at node:internal/main/run_main_module:28:49\n    at async Promise.all (index 0)\n    at file:///app/x.mjs:3:5';
    const java = 'java.lang.IllegalStateException: boom\n\tat com.example.Demo.b(Demo.java:3)\n\tat java.base/java.lang.Thread.run(Thread.java:833)\n\tat com.example.Demo.c(Native Method)';
    const go = 'goroutine 1 [running]:\nmain.handler(0xc000012345)\n\t/app/main.go:42 +0x1d';
    const dotnet = '   at MyApp.Service.Do(Int32 x) in /src/MyApp/Service.cs:line 42\n   at MyApp.Program.Main()';
    const paths = (s: string): string[] => parseStackFrames(s).map((f) => `${f.path}:${f.line}`);
    assert.deepEqual(paths(python), ['/app/svc.py:3']);
    assert.deepEqual(paths(node), ['/app/run.js:8', '/app/run.js:12', '/app/x.mjs:3']);
    assert.deepEqual(paths(java), ['com/example/Demo.java:3', 'java/lang/Thread.java:833']);
    assert.deepEqual(paths(go), ['/app/main.go:42']);
    assert.deepEqual(paths(dotnet), ['/src/MyApp/Service.cs:42', 'Program.cs:undefined']);
  });

  it('collects a span\u2019s own location first, then its exception frames, each once', () => {
    const s = newSpan('a'.repeat(32), 'b'.repeat(16));
    s.attributes = [{ key: 'code.file.path', value: '/app/run.js' }, { key: 'code.line.number', value: 8 }];
    s.events = [{ timeUs: 1, name: 'exception', attributes: [{ key: 'exception.stacktrace', value: 'Error\n    at f (/app/run.js:8:21)\n    at f (/app/run.js:8:21)\n    at g (/app/lib.js:2:1)' }] }];
    assert.deepEqual(sourceRefsOfSpan(s).map((r) => `${r.path}:${r.line}:${r.column ?? ''}`), ['/app/run.js:8:', '/app/run.js:8:21', '/app/lib.js:2:1']);
  });
});
