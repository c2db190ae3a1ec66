import * as assert from 'node:assert/strict';
import { newSpan, type Span } from '../../src/shared/model';
import { fileNameOf, SpanLocations, type SpanAtLine } from '../../src/shared/source/spanLocations';

/** A span of `trace` whose stack trace names `file` at `line`. */
function spanAt(trace: string, id: number, file: string, line: number): Span {
  const s = newSpan(trace, id.toString(16).padStart(16, '0'));
  s.name = `span ${id}`;
  s.events = [{ timeUs: 1, name: 'exception', attributes: [{ key: 'exception.stacktrace', value: `Error\n    at f (${file}:${line}:1)` }] }];
  return s;
}

const lines = (list: SpanAtLine[] | undefined): string[] => (list ?? []).map((s) => `${s.spanId.replace(/^0+/, '')}@${s.ref.line}`);

describe('the code → traces index (SpanLocations)', () => {
  const A = 'a'.repeat(32);
  const B = 'b'.repeat(32);

  it('groups located spans by file name, newest trace first, with either path separator', () => {
    const index = new SpanLocations();
    const a = [spanAt(A, 1, '/app/run.js', 8), spanAt(A, 2, 'C:\\app\\lib.js', 3)];
    const b = [spanAt(B, 3, '/srv/app/run.js', 20)];
    const map = index.byFileName([{ key: 'local/b', sourceId: 'local', spans: b }, { key: 'local/a', sourceId: 'local', spans: a }]);
    assert.deepEqual(lines(map.get('run.js')), ['3@20', '1@8']);
    assert.deepEqual(lines(map.get('lib.js')), ['2@3']);
    assert.equal(fileNameOf('C:\\app\\lib.js'), 'lib.js');
  });

  it('reads only the spans that arrived since the last build: a burst costs the burst, not every trace again', () => {
    const index = new SpanLocations();
    const a: Span[] = Array.from({ length: 100 }, (_, i) => spanAt(A, i + 1, '/app/run.js', i + 1));
    index.byFileName([{ key: 'local/a', sourceId: 'local', spans: a }]);
    assert.equal(index.spansRead, 100);
    a.push(spanAt(A, 101, '/app/run.js', 101)); // the store appends to a trace's list in place
    const b = [spanAt(B, 0x500, '/app/other.js', 1)];
    const map = index.byFileName([{ key: 'local/b', sourceId: 'local', spans: b }, { key: 'local/a', sourceId: 'local', spans: a }]);
    assert.equal(index.spansRead, 102, 'the new span of trace a and the one of trace b');
    assert.equal(map.get('run.js')?.length, 101);
    assert.deepEqual(lines(map.get('other.js')), ['500@1']);
  });

  it('forgets traces that left the window, and starts a trace again when its list was replaced', () => {
    const index = new SpanLocations();
    const a = [spanAt(A, 1, '/app/run.js', 8)];
    index.byFileName([{ key: 'local/a', sourceId: 'local', spans: a }, { key: 'zipkin/b', sourceId: 'zipkin', spans: [spanAt(B, 2, '/app/run.js', 9)] }]);
    // Trace b was evicted; trace a was evicted and came back with other spans in a new list.
    const again = [spanAt(A, 7, '/app/run.js', 30)];
    const map = index.byFileName([{ key: 'local/a', sourceId: 'local', spans: again }]);
    assert.deepEqual(lines(map.get('run.js')), ['7@30']);
  });

  it('skips locations without a line, which no lens can be put on', () => {
    const s = newSpan(A, '1'.padStart(16, '0'));
    s.attributes = [{ key: 'code.file.path', value: '/app/run.js' }];
    assert.equal(new SpanLocations().byFileName([{ key: 'k', sourceId: 'local', spans: [s] }]).size, 0);
  });
});
