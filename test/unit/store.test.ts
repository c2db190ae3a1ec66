import * as assert from 'node:assert/strict';
import { newSpan, type Span } from '../../src/shared/model';
import { LocalSource } from '../../src/node/sources/localSource';
import { TraceStore } from '../../src/shared/store/traceStore';

function span(trace: string, id: string, parent?: string, extra: Partial<Span> = {}): Span {
  const s = newSpan(trace.padStart(16, '0'), id.padStart(16, '0'));
  if (parent) s.parentId = parent.padStart(16, '0');
  return Object.assign(s, { name: `op-${id}`, service: 'svc', startUs: 1000, durationUs: 10 }, extra);
}

describe('local trace store', () => {
  it('lists traces newest first with the root span as their name', () => {
    const store = new TraceStore(100);
    store.add([span('a', '2', '1', { name: 'child' }), span('a', '1', undefined, { name: 'root', service: 'web', durationUs: 50 })]);
    store.add([span('b', '1')]);
    const rows = store.list();
    assert.deepEqual(rows.map((r) => r.traceId), ['000000000000000b', '000000000000000a']);
    assert.deepEqual([rows[1].rootService, rows[1].rootName, rows[1].spanCount, rows[1].durationUs], ['web', 'root', 2, 50]);
  });

  it('evicts the least recently written traces beyond the span budget and counts them', () => {
    const store = new TraceStore(3);
    store.add([span('a', '1'), span('a', '2', '1')]);
    store.add([span('b', '1')]);
    store.add([span('a', '3', '1')]); // a is written again: b is now the oldest
    store.add([span('c', '1')]);
    assert.deepEqual(store.list().map((r) => r.traceId.slice(-1)).sort(), ['c']);
    assert.equal(store.stats().evictedTraces, 2);
    assert.equal(store.stats().spans, 1);
  });

  it('finds a trace by its 64-bit id when it was stored under the zero-padded 128-bit one', () => {
    const store = new TraceStore(10);
    store.add([span('0000000000000000000000000000abcd', '1')]);
    assert.equal(store.get('abcd')?.length, 1);
    assert.equal(store.get('000000000000ABCD')?.length, 1);
  });

  it('filters by service, span name and duration, and tells listeners which traces changed', () => {
    const store = new TraceStore(10);
    const heard: string[][] = [];
    store.onDidAdd((ids) => heard.push(ids));
    store.add([span('a', '1', undefined, { service: 'web', durationUs: 500 }), span('b', '1', undefined, { service: 'db', name: 'select' })]);
    assert.deepEqual(store.list({ service: 'db' }).map((r) => r.traceId.slice(-1)), ['b']);
    assert.deepEqual(store.list({ minDurationUs: 100 }).map((r) => r.traceId.slice(-1)), ['a']);
    assert.deepEqual(store.list({ spanName: 'select' }).map((r) => r.traceId.slice(-1)), ['b']);
    assert.deepEqual(heard, [['000000000000000a', '000000000000000b']]);
    assert.deepEqual(store.services(), ['db', 'web']);
  });
});

describe('local trace store: traces kept encoded until read', () => {
  const encoded = (trace: string, spans: Span[], calls: { n: number }): { traceId: string; spanCount: number; decode(): Span[] } => ({
    traceId: trace.padStart(32, '0'),
    spanCount: spans.length,
    decode: () => {
      calls.n++;
      return spans;
    },
  });

  it('counts encoded spans at once, decodes a trace on its first read and only once', () => {
    const store = new TraceStore(100);
    const calls = { n: 0 };
    const heard: string[][] = [];
    store.onDidAdd((ids) => heard.push(ids));
    const a = '0000000000000000000000000000000a';
    store.addEncoded([encoded('a', [span(a, '1'), span(a, '2', '1')], calls)]);
    assert.deepEqual([store.stats().spans, store.stats().traces, calls.n], [2, 1, 0]);
    assert.deepEqual(heard, [[a]]);
    assert.equal(store.get('a')?.length, 2);
    assert.equal(calls.n, 1);
    store.list();
    store.services();
    assert.equal(calls.n, 1);
  });

  it('keeps arrival order when plain spans follow encoded ones of the same trace', () => {
    const store = new TraceStore(100);
    const calls = { n: 0 };
    const a = '0000000000000000000000000000000a';
    store.addEncoded([encoded('a', [span(a, '1')], calls)]);
    store.add([span(a, '2', '1')]);
    store.addEncoded([encoded('a', [span(a, '3', '1')], calls)]);
    assert.deepEqual(store.get(a)?.map((s) => s.spanId.slice(-1)), ['1', '2', '3']);
    assert.equal(store.stats().spans, 3);
  });

  it('evicts by the span budget, counting spans not decoded yet', () => {
    const store = new TraceStore(3);
    const calls = { n: 0 };
    store.addEncoded([encoded('a', [span('a', '1'), span('a', '2')], calls)]);
    store.addEncoded([encoded('b', [span('b', '1'), span('b', '2')], calls)]);
    assert.deepEqual([store.stats().traces, store.stats().spans, store.stats().evictedTraces], [1, 2, 1]);
    assert.equal(store.get('a'), undefined);
    assert.equal(calls.n, 0); // an evicted trace is never decoded
  });

  it('a part that fails to decode is counted and its error kept, not dropped silently', () => {
    const store = new TraceStore(100);
    store.add([span('a', '1')]);
    store.addEncoded([{ traceId: 'a'.padStart(32, '0'), spanCount: 4, decode: () => { throw new Error('bad bytes'); } }]);
    assert.equal(store.stats().spans, 5);
    assert.equal(store.get('a')?.length, 1);
    assert.deepEqual([store.stats().spans, store.stats().undecodable, store.stats().lastDecodeError], [1, 4, 'bad bytes']);
    assert.match(new LocalSource(store).describe(), /4 received spans could not be decoded \(bad bytes\); this is a bug/);
  });
});
