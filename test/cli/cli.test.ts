/** The built CLI (`dist/cli.js`), run as a user runs it: a child process with files and stdin. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('stats --json of the data-model trace by operation: counts add up to 5, get-traces holds most self time', () => {
    const r = run(['stats', join(EX, 'zipkin-data-model-trace.json'), '--group-by', 'operation', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { groupBy: string; rows: Array<{ key: string; count: number; totalUs: number; selfUs: number; avgUs: number; minUs: number; maxUs: number; errors: number }> };
    assert.equal(doc.groupBy, 'operation');
    assert.deepEqual(doc.rows.map((x) => [x.key, x.count]), [['zipkin-query: get-traces', 1], ['zipkin-query: get', 1], ['zipkin-query: query', 3]]);
    assert.deepEqual(Object.keys(doc.rows[0]), ['key', 'count', 'totalUs', 'selfUs', 'avgUs', 'minUs', 'maxUs', 'errors']);
    const query = doc.rows[2];
    assert.deepEqual([query.minUs, query.maxUs, query.totalUs], [1000, 13000, 16000]);
    const text = run(['stats', join(EX, 'zipkin-data-model-trace.json')]);
    assert.match(text.stdout, /^trace 5982fe77008310cc80f1da5e10147517 {2}5 spans, 386 ms\nservice +count +total +self/);
  });

  it('compare --json: a trace against itself changes nothing; against another, its nodes are removed and the other\u2019s added', () => {
    const model = join(EX, 'zipkin-data-model-trace.json');
    const same = JSON.parse(run(['compare', model, model, '--json']).stdout) as { a: { spanCount: number }; nodes: Array<{ countA: number; countB: number; durationA: number; durationB: number; onlyIn?: string }> };
    assert.equal(same.a.spanCount, 5);
    assert.ok(same.nodes.every((n) => n.countA === n.countB && n.durationA === n.durationB && !n.onlyIn));
    const r = run(['compare', model, join(FX, 'jaeger-trace.json'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const diff = JSON.parse(r.stdout) as { a: { traceId: string }; b: { traceId: string; spanCount: number }; nodes: Array<{ path: string[]; onlyIn?: string }> };
    assert.deepEqual([diff.a.traceId, diff.b.traceId, diff.b.spanCount], ['5982fe77008310cc80f1da5e10147517', '0af7651916cd43dd8448eb211c80319c', 3]);
    assert.deepEqual(diff.nodes.filter((n) => n.onlyIn === 'a').map((n) => n.path.at(-1)).sort(), ['zipkin-query: get', 'zipkin-query: get-traces', 'zipkin-query: query']);
    assert.equal(diff.nodes.filter((n) => n.onlyIn === 'b').length, 3);
    const text = run(['compare', model, model]);
    assert.match(text.stdout, /no node changed by 10% or more/);
  });

  it('stats of a file holding two traces asks which one, and FILE#TRACEID picks it', () => {
    const both = join(tmp, 'two.json');
    const one = JSON.parse(readFileSync(join(EX, 'zipkin-data-model-trace.json'), 'utf8')) as Array<{ traceId: string }>;
    writeFileSync(both, JSON.stringify([...one, ...one.map((s) => ({ ...s, traceId: 'abcdef0123456789' }))]));
    const r = run(['stats', both]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds 2 traces .*pick one with .*#TRACEID/);
    const picked = run(['stats', `${both}#abcdef0123456789`, '--json']);
    assert.equal(picked.code, 0, picked.stderr);
    assert.equal((JSON.parse(picked.stdout) as { rows: Array<{ count: number }> }).rows[0].count, 5);
    assert.match(run(['stats', `${both}#0000000000000077`]).stderr, /has no trace 0000000000000077; it has /);
  });
});
