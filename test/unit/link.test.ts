import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTrace } from '../../src/shared/formats/detect';
import { newSpan, type Span } from '../../src/shared/model';
import { linkTrace, linkTraces } from '../../src/shared/trace/link';
import { SpanIdIndex } from '../../src/shared/trace/spanIdIndex';
import { childRows, traceWarnings } from '../../src/shared/trace/trace';
import { fixture } from './helpers';

function span(id: string, parentId: string | undefined, startUs: number, durationUs = 10, extra: Partial<Span> = {}): Span {
  const s = newSpan('00000000000000aa', id.padStart(16, '0'));
  if (parentId) s.parentId = parentId.padStart(16, '0');
  return Object.assign(s, { name: `op-${id}`, service: 'svc', startUs, durationUs }, extra);
}

describe('linking', () => {
  it('orders rows pre-order with siblings by start time', () => {
    const t = linkTrace([span('3', '1', 30), span('1', undefined, 0, 100), span('2', '1', 10), span('4', '2', 12)]);
    assert.deepEqual(t.uid.map((u) => u.slice(-1)), ['1', '2', '4', '3']);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2, 1]);
    assert.deepEqual(Array.from(t.parent), [-1, 0, 1, 0]);
    assert.deepEqual(Array.from(t.subtreeEnd), [4, 3, 3, 4]);
    assert.deepEqual(childRows(t, 0), [1, 3]);
    assert.equal(t.levels, 3);
  });

  it('makes a span whose parent is missing a root, counts it as an orphan and never drops it', () => {
    const t = linkTrace([span('1', undefined, 0, 100), span('2', '99', 5)]);
    assert.equal(t.spans.length, 2);
    assert.equal(t.rootCount, 2);
    assert.equal(t.orphanCount, 1);
    assert.match(traceWarnings(t)[0], /parent 0000000000000099 is not in the trace; shown as a root/);
  });

  it('breaks a parent cycle, warns, and keeps every span', () => {
    const t = linkTrace([span('1', '3', 0), span('2', '1', 1), span('3', '2', 2)]);
    assert.equal(t.spans.length, 3);
    assert.equal(t.rootCount, 1);
    assert.equal(t.warnings.size, 1);
    assert.match(traceWarnings(t)[0], /cycle broken here/);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2]);
  });

  it('keeps duplicate span ids, renames the second copy and warns', () => {
    const t = linkTrace([span('1', undefined, 0, 100), span('2', '1', 5, 10, { name: 'a' }), span('2', '1', 50, 10, { name: 'b' })]);
    assert.equal(t.spans.length, 3);
    assert.deepEqual(t.uid, ['0000000000000001', '0000000000000002', '0000000000000002~1']);
    assert.match(traceWarnings(t)[0], /duplicate span id 0000000000000002/);
  });

  it('merges a span reported in pieces into one with both annotations', () => {
    const [t] = linkTraces(decodeTrace(fixture('zipkin-pieces.json')).spans);
    assert.equal(t.spans.length, 1);
    const s = t.spans[0];
    assert.equal(s.startUs, 1700000000000000);
    assert.equal(s.durationUs, 3000);
    assert.deepEqual(s.events.map((e) => e.name), ['ws', 'wr']);
    assert.deepEqual(s.attributes, [{ key: 'http.path', value: '/a' }]);
  });

  it('makes the shared server half a child of its client half, and the server\u2019s child its child', () => {
    const [t] = linkTraces(decodeTrace(fixture('zipkin-shared-skew.json')).spans);
    assert.deepEqual(t.uid, ['1000000000000001', '2000000000000002', '2000000000000002:shared', '3000000000000003']);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2, 3]);
    assert.equal(t.warnings.size, 0);
  });

  it('marks a SERVER span that shares its CLIENT\u2019s id as shared even without the flag', () => {
    const client = span('5', '1', 10, 50, { kind: 'client', service: 'a' });
    const server = span('5', '1', 12, 40, { kind: 'server', service: 'b' });
    const t = linkTrace([span('1', undefined, 0, 100, { service: 'a' }), client, server]);
    assert.deepEqual(t.uid, ['0000000000000001', '0000000000000005', '0000000000000005:shared']);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2]);
  });

  it('links a 100,000-deep chain without overflowing the stack', () => {
    const spans: Span[] = [];
    for (let i = 1; i <= 100000; i++) spans.push(span(i.toString(16), i > 1 ? (i - 1).toString(16) : undefined, i));
    const t = linkTrace(spans.reverse());
    assert.equal(t.levels, 100000);
    assert.equal(t.depth[99999], 99999);
    assert.equal(t.subtreeEnd[0], 100000);
  });

  it('draws a span without a start at its parent\u2019s start and says so', () => {
    const t = linkTrace([span('1', undefined, 1000, 100), span('2', '1', NaN, NaN)]);
    assert.equal(t.start[1], 1000);
    assert.equal(t.duration[1], 0);
    assert.deepEqual(t.warnings.get(1)?.map((w) => w.code), ['missing-start', 'missing-duration']);
  });

  it('treats a 64-bit trace id and its zero-padded 128-bit form as one trace', () => {
    const a = span('1', undefined, 0);
    const b = Object.assign(span('2', '1', 1), { traceId: '000000000000000000000000000000aa' });
    assert.equal(linkTraces([a, b]).length, 1);
  });

  it('counts errors and collects sorted services', () => {
    const t = linkTrace([span('1', undefined, 0, 100, { service: 'web' }), span('2', '1', 1, 1, { service: 'db', status: { code: 'error' } })]);
    assert.deepEqual(t.services, ['db', 'web']);
    assert.equal(t.errorCount, 1);
    assert.equal(t.endUs - t.startUs, 100);
  });
});

describe('span id index', () => {
  it('finds every one of 50,000 random 64-bit ids and none that is absent', () => {
    const rnd = (): string => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
    const ids = Array.from({ length: 50_000 }, (_, i) => ({ spanId: rnd() + i.toString(16).padStart(8, '0') }));
    const index = SpanIdIndex.of(ids)!;
    assert.ok(index);
    for (let i = 0; i < ids.length; i += 7) assert.equal(index.get(ids[i].spanId), i);
    assert.equal(index.get('ffffffff' + 'fffffff0'), -1);
    assert.equal(index.get('not-hex-at-all!!'), -1);
    assert.equal(index.get('abc'), -1);
  });

  it('gives up on a repeated id or one that is not 16 lowercase hex digits, so the linker merges and renames', () => {
    assert.equal(SpanIdIndex.of([{ spanId: '00000000000000a1' }, { spanId: '00000000000000a1' }]), null);
    assert.equal(SpanIdIndex.of([{ spanId: '00000000000000A1' }]), null);
    assert.equal(SpanIdIndex.of([{ spanId: 'a1' }]), null);
  });

  it('links spans with hand-written ids (not 16 hex digits) as before, through the general index', () => {
    const odd = (id: string, parentId?: string): Span => Object.assign(newSpan('00000000000000aa', id), parentId ? { parentId } : {}, { startUs: id.length, durationUs: 1 });
    const t = linkTrace([odd('root'), odd('child-1', 'root'), odd('child-2', 'root'), odd('grandchild', 'child-1')]);
    assert.deepEqual(t.uid, ['root', 'child-1', 'grandchild', 'child-2']);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2, 1]);
    assert.equal(t.orphanCount, 0);
  });
});

describe('linking: row order and cycles on larger shapes', () => {
  it('breaks a cycle beside a healthy tree, and leaves the tree as it was', () => {
    const healthy = [span('1', undefined, 0, 100), span('2', '1', 10), span('3', '2', 20)];
    const loop = [span('a', 'c', 5), span('b', 'a', 6), span('c', 'b', 7)];
    const t = linkTrace([...healthy, ...loop]);
    assert.equal(t.spans.length, 6);
    assert.equal(traceWarnings(t).filter((w) => /cycle broken/.test(w)).length, 1);
    const rowsOf = (ids: string[]): number[] => ids.map((id) => t.uid.indexOf(id.padStart(16, '0')));
    const [r1, r2, r3] = rowsOf(['1', '2', '3']);
    assert.deepEqual([t.depth[r1], t.depth[r2], t.depth[r3]], [0, 1, 2]);
    assert.deepEqual([t.parent[r2], t.parent[r3]], [r1, r2]);
  });

  it('orders a fan-out of 5,000 siblings by start time, ties in source order', () => {
    const kids = Array.from({ length: 5000 }, (_, i) => span(`c${i.toString(16)}`, 'f', 1000 - (i % 7)));
    const t = linkTrace([span('f', undefined, 0, 2000), ...kids]);
    const starts = Array.from(t.start.subarray(1));
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
    // among equal starts, source order: c0 before c7 (both start at 1000)
    assert.ok(t.uid.indexOf('c0'.padStart(16, '0')) < t.uid.indexOf('c7'.padStart(16, '0')));
  });

  it('gives the same rows as sorting each child list by (start, source order) and walking pre-order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 300 }), fc.boolean(), (shape, wide) => {
        // Span i hangs under an earlier span (or is a root); starts from a small set, so many tie.
        const spans = shape.map(([p, st], i) => span(`a${i.toString(16)}`, i === 0 || p % 5 === 0 ? undefined : `a${(wide ? 0 : p % i).toString(16)}`, st, 1));
        const t = linkTrace(spans);
        const kids = new Map<number, number[]>();
        const roots: number[] = [];
        spans.forEach((s, i) => {
          const p = s.parentId ? spans.findIndex((x) => x.spanId === s.parentId) : -1;
          if (p >= 0) kids.set(p, [...(kids.get(p) ?? []), i]);
          else roots.push(i);
        });
        const bySt = (a: number, b: number): number => spans[a].startUs - spans[b].startUs || a - b;
        const expected: string[] = [];
        const stack = [...roots].sort(bySt).reverse();
        while (stack.length) {
          const v = stack.pop()!;
          expected.push(spans[v].spanId);
          stack.push(...[...(kids.get(v) ?? [])].sort(bySt).reverse());
        }
        assert.deepEqual(t.uid, expected);
      }),
      { numRuns: 300 },
    );
  });
});
