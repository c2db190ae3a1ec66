/** The built CLI (`dist/cli.js`), run as a user runs it: a child process with files and stdin. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const EX = join(ROOT, 'test', 'fixtures', 'examples');
const FX = join(ROOT, 'test', 'fixtures');

function run(args: string[], input?: string | Uint8Array): { code: number | null; stdout: string; stderr: string; raw: Buffer } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), raw: r.stdout };
}

describe('trace-explorer CLI', function () {
  let tmp: string;
  before(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
    tmp = mkdtempSync(join(tmpdir(), 'te-cli-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('summary --json of the three curl payloads prints one trace of three nested spans', () => {
    const r = run(['summary', '--json', ...[1, 2, 3].map((i) => join(EX, `zipkin-curl-span-${i}.json`))]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.format, 'zipkin-v2');
    assert.equal(doc.traces.length, 1);
    const t = doc.traces[0];
    assert.deepEqual(
      { ...t, spans: undefined },
      { traceId: '0123456789abcde0', spanCount: 3, rootCount: 1, orphanCount: 0, depth: 3, services: ['shell script'], startUs: 1625115600000000, durationUs: 10450000, errorCount: 0, warnings: [], spans: undefined },
    );
    assert.deepEqual(t.spans[2], {
      spanId: '0000000000006789',
      parentId: '0000000000005678',
      name: 'child span from bash!',
      service: 'shell script',
      kind: 'unspecified',
      startUs: 1625115610100000,
      durationUs: 350000,
      depth: 2,
      adjustedUs: 0,
    });
    assert.equal(t.spans[0].parentId, null);
  });

  it('summary --json of B3 pieces: the shared SERVER half follows its CLIENT half at depth + 1, the late record merged into it with a warning', () => {
    const r = run(['summary', '--json', join(FX, 'zipkin-b3-pieces.json')]);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout).traces[0];
    const rows = t.spans.map((s: { spanId: string; shared?: boolean; depth: number; name: string }) => `${s.spanId.slice(-2)}${s.shared ? ':shared' : ''}@${s.depth} ${s.name}`);
    assert.deepEqual(rows, ['a1@0 get /checkout', 'c5@1 post /charge', 'c5:shared@2 post /charge', 'd7@3 insert charge', 'e9@2 get /receipt']);
    assert.match(t.spans[2].warnings[0], /^reported in 2 pieces, shown as one: shared SERVER record .*; record without kind or time from 10\.0\.0\.2:9000 \(1 tag, 1 annotation\)$/);
    assert.equal(t.spans[1].warnings, undefined);
    assert.equal(t.spanCount, 5);
  });

  it('summary reads a file holding one Jaeger Thrift batch (the reference script\'s datagram)', () => {
    const r = run(['summary', '--json', join(FX, 'jaeger-thrift-compact-hello.bin')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.format, 'jaeger-thrift');
    assert.deepEqual(doc.traces[0].spans.map((s: { name: string; depth: number }) => `${s.depth}:${s.name}`), ['0:foo', '1:bar', '2:baz']);
    assert.deepEqual(doc.traces[0].services, ['my-helloworld-service']);
  });

  it('summary --json of the data-model trace has depth 3; of the console output, root foo2', () => {
    const dm = JSON.parse(run(['summary', '--json', join(EX, 'zipkin-data-model-trace.json')]).stdout);
    assert.equal(dm.traces[0].depth, 3);
    assert.equal(dm.traces[0].spanCount, 5);
    const py = JSON.parse(run(['summary', '--json', join(EX, 'otel-python-console-exporter.txt')]).stdout);
    assert.equal(py.format, 'otel-python-console');
    assert.equal(py.traces[0].spans[0].name, 'foo2');
    assert.equal(py.traces[0].spans[0].depth, 0);
  });

  it('summary --adjust-skew reports how far each span moved and warns about it', () => {
    const doc = JSON.parse(run(['summary', '--json', '--adjust-skew', join(FX, 'zipkin-shared-skew.json')]).stdout);
    assert.deepEqual(doc.traces[0].spans.map((s: { adjustedUs: number }) => s.adjustedUs), [0, 0, 12000, 12000]);
    assert.equal(doc.traces[0].warnings.length, 2);
  });

  it('summary without --json prints a readable tree', () => {
    const r = run(['summary', join(EX, 'otel-python-console-exporter.txt')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /trace 8342e0dad3853eb922985cbcd95e3362 {2}3 spans, 3 levels/);
    assert.match(r.stdout, /\n {4}bar {2}\[my-helloworld-service2\]/);
  });

  for (const to of ['zipkin', 'otlp-json', 'otlp-proto', 'jaeger']) {
    it(`convert --to ${to} writes something summary reads back as the same trace`, () => {
      const r = run(['convert', join(EX, 'zipkin-data-model-trace.json'), '--to', to]);
      assert.equal(r.code, 0, r.stderr);
      const file = join(tmp, `converted.${to}`);
      writeFileSync(file, r.raw);
      const back = JSON.parse(run(['summary', '--json', file]).stdout).traces[0];
      const orig = JSON.parse(run(['summary', '--json', join(EX, 'zipkin-data-model-trace.json')]).stdout).traces[0];
      assert.deepEqual(
        back.spans.map((s: { spanId: string; depth: number; name: string }) => [s.spanId, s.depth, s.name]),
        orig.spans.map((s: { spanId: string; depth: number; name: string }) => [s.spanId, s.depth, s.name]),
      );
    });
  }

  it('reads stdin when the file is -', () => {
    const r = run(['summary', '--json', '-'], JSON.stringify([{ traceId: 'a', id: 'b', name: 'piped' }]));
    assert.equal(JSON.parse(r.stdout).traces[0].spans[0].name, 'piped');
  });

  it('reports a bad file on stderr as file:line:column: reason, exit 2, nothing on stdout', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '[\n  {"traceId": "not-hex", "id": "1"}\n]\n');
    const good = join(EX, 'zipkin-curl-span-1.json');
    const r = run(['summary', '--json', good, bad]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim(), `trace-explorer: ${bad}:2:15: traceId must be 1–32 hex digits and not all zeros, got "not-hex" (at [0].traceId)`);
  });

  it('exits 2 with a clear message for a missing file, an unknown command and a bad --to', () => {
    const missing = run(['summary', join(tmp, 'nope.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot read: ENOENT/);
    const unknown = run(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const badTo = run(['convert', join(EX, 'zipkin-curl-span-1.json'), '--to', 'xml']);
    assert.equal(badTo.code, 2);
    assert.match(badTo.stderr, /--to must be one of zipkin, otlp-json, otlp-proto, jaeger/);
  });
});
