import * as assert from 'node:assert/strict';
import { payloadRegions } from '../../src/shared/editor/payloadRegions';
import { spanAtCursor, type PickFailure, type SpanPick } from '../../src/shared/editor/spanAtCursor';
import { findTraceIds } from '../../src/shared/editor/traceIds';
import { fixture } from './helpers';

function pick(text: string, offset: number, kind: Parameters<typeof spanAtCursor>[2] = 'json'): SpanPick {
  const r = spanAtCursor(text, offset, kind);
  if (!('spans' in r)) assert.fail(`expected a span, got: ${r.message}`);
  return r;
}

function failure(text: string, offset: number, kind: Parameters<typeof spanAtCursor>[2] = 'json'): PickFailure {
  const r = spanAtCursor(text, offset, kind);
  if ('spans' in r) assert.fail(`expected a failure, got ${r.label}`);
  return r;
}

describe('span under the cursor', () => {
  it('in send-spans.sh: each curl payload gives its own span, from any position inside it', () => {
    const sh = fixture('examples/send-spans.sh');
    const expected = ['0000000000001234', '0000000000005678', '0000000000006789'];
    const regions = payloadRegions(sh, 'shell');
    assert.equal(regions.length, 3);
    regions.forEach((r, i) => {
      // Every offset inside the object, at every depth (tags, localEndpoint, strings, keys).
      const objStart = sh.indexOf('{', r.start);
      const objEnd = sh.lastIndexOf('}', r.end) + 1;
      for (let o = objStart; o < objEnd; o += 7) assert.deepEqual(pick(sh, o, 'shell').spans.map((s) => s.spanId), [expected[i]], `offset ${o}`);
    });
  });

  it('on the array brackets of a payload: the array, said so', () => {
    const sh = fixture('examples/send-spans.sh');
    const p = pick(sh, sh.indexOf("'[{") + 1, 'shell');
    assert.equal(p.label, '1 span (the array)');
  });

  it('outside every payload in a shell script: says where to put the cursor', () => {
    const sh = fixture('examples/send-spans.sh');
    assert.match(failure(sh, 0, 'shell').message, /put the cursor inside a curl -d '…' payload \(this file has 3\)/);
  });

  it('in the data-model trace: the innermost span, or all 5 between the spans', () => {
    const text = fixture('examples/zipkin-data-model-trace.json');
    assert.equal(pick(text, text.indexOf('"get-traces"')).spans[0].name, 'get-traces');
    // Deep inside an annotation of the first span: still that span.
    assert.equal(pick(text, text.indexOf('"sr"')).spans[0].name, 'get');
    assert.equal(pick(text, text.indexOf('\n  {')).label, '5 spans (the array)');
  });

  it('in OpenTelemetry Python console output (objects one after another): the object under the cursor', () => {
    const text = fixture('examples/otel-python-console-exporter.txt');
    const names = ['baz', 'bar', 'foo2'];
    let from = 0;
    for (const name of names) {
      const at = text.indexOf(`"name": "${name}"`, from);
      const p = pick(text, at + 3, 'text');
      assert.equal(p.format, 'otel-python-console');
      assert.equal(p.spans[0].name, name);
      from = at + 1;
    }
  });

  it('an OTLP span keeps its resource and scope; a Jaeger span its process', () => {
    const otlp = fixture('otlp-test-span.json');
    const s = pick(otlp, otlp.indexOf('"test-span"')).spans[0];
    assert.equal(s.service, 'vscode-test');
    assert.equal(s.scope?.name, 'trace-viewer');
    const jaeger = fixture('jaeger-trace.json');
    const j = pick(jaeger, jaeger.indexOf('"spanID"') + 2).spans[0];
    assert.ok(j.service, 'service from the process');
  });

  it('in a Markdown fence; outside any fence says so', () => {
    const md = 'Intro\n\n```json\n{"traceId": "0123456789abcde0", "id": "a", "name": "from md", "timestamp": 1, "duration": 2}\n```\n';
    assert.equal(pick(md, md.indexOf('from md'), 'markdown').spans[0].name, 'from md');
    assert.match(failure(md, 2, 'markdown').message, /inside a fenced code block \(this file has 1\)/);
  });

  it("shell quoting: '\\'' inside single quotes, escapes inside double quotes, heredocs", () => {
    const single = `curl -d '[{"traceId":"0123456789abcde0","id":"1","name":"it'\\''s"}]' http://x`;
    assert.equal(pick(single, single.indexOf('"id"'), 'shell').spans[0].name, "it's");
    const double = `curl --data-raw "[{\\"traceId\\":\\"0123456789abcde0\\",\\"id\\":\\"2\\",\\"name\\":\\"dq \\\\\\"x\\\\\\"\\"}]" http://x`;
    assert.equal(pick(double, double.indexOf('id'), 'shell').spans[0].name, 'dq "x"');
    const heredoc = `curl --data @- http://x <<'EOF'\n[{"traceId":"0123456789abcde0","id":"3","name":"here"}]\nEOF\n`;
    assert.equal(pick(heredoc, heredoc.indexOf('"here"'), 'shell').spans[0].name, 'here');
  });

  it('strings with escaped quotes and braces do not confuse the scanner', () => {
    const text = '[{"traceId":"0123456789abcde0","id":"1","name":"a \\"}{\\" b","tags":{"q":"[{"}}]';
    assert.equal(pick(text, text.indexOf('tags')).spans[0].name, 'a "}{" b');
  });

  it('broken JSON (a trailing comma, as a backend would reject it): says so at the comma; JSONC documents may have one', () => {
    const text = '[{"traceId":"0123456789abcde0","id":"1","name":"x",}]';
    const f = failure(text, 5);
    assert.match(f.message, /^Not sent: the JSON of span "x" is broken: /);
    assert.equal(text.slice(f.start, f.end), ',');
    const jsonc = `// a comment\n${text}`;
    const r = spanAtCursor(jsonc, jsonc.indexOf('"id"'), 'json', { jsonc: true });
    assert.ok('spans' in r && r.spans[0].name === 'x', 'accepted in JSONC');
  });

  it('a bad value: the reason, and the range of exactly that value', () => {
    const text = '[{\n  "traceId": "xyz",\n  "id": "1234"\n}]';
    const f = failure(text, text.indexOf('"id"'));
    assert.match(f.message, /traceId must be 1–32 hex digits and not all zeros, got "xyz"/);
    assert.equal(text.slice(f.start, f.end), '"xyz"');
  });
});

describe('trace ids in text', () => {
  it('finds 32-digit ids anywhere and 16-digit ids only next to a trace word', () => {
    const id32 = '5b8efff798038103d269b633813fc700';
    const line = `GET /x ${id32} trace_id=eee19b7ec3c1b100 span=aaaaaaaaaaaaaaaa sha ${'1'.repeat(32)} commit 0123456789abcdef0123456789abcdef01234567`;
    assert.deepEqual(findTraceIds(line).map((f) => f.id), [id32, 'eee19b7ec3c1b100']);
    const f = findTraceIds(line)[1];
    assert.equal(line.slice(f.start, f.start + f.length), 'eee19b7ec3c1b100');
  });
});
