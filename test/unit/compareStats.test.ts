/**
 * Statistics and comparison of traces: the laws a user relies on without thinking about them (counts
 * add up, self time never exceeds the total, a trace compared with itself shows no change, swapping
 * the two sides swaps the numbers, one removed call shows up at exactly its node), then the cases
 * from the examples.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateTrace } from '../../bench/generate';
import { decodeTrace } from '../../src/shared/formats/detect';
import type { Span } from '../../src/shared/model';
import { compareTraces, comparisonJson, isChanged, type Comparison } from '../../src/shared/trace/compare';
import { linkTrace } from '../../src/shared/trace/link';
import { selfTimes } from '../../src/shared/trace/selfTime';
import { traceStats } from '../../src/shared/trace/stats';
import { fixture } from './helpers';

/** A random tree of spans: a few services and names (so siblings group), overlapping children, errors. */
const traceArb = fc
  .array(fc.tuple(fc.nat(), fc.constantFrom('api', 'db', 'cache'), fc.constantFrom('GET', 'SELECT', 'get'), fc.nat({ max: 1000 }), fc.nat({ max: 1000 }), fc.boolean()), { minLength: 1, maxLength: 60 })
  .map((rows) =>
    rows.map(([parentPick, service, name, offset, length, error], i): Span => ({
      traceId: 'aa',
      spanId: (i + 1).toString(16).padStart(16, '0'),
      ...(i > 0 ? { parentId: (parentPick % i + 1).toString(16).padStart(16, '0') } : {}),
      name,
      service,
      kind: 'internal',
      startUs: 1_000_000 + offset,
      durationUs: length,
      attributes: [{ key: 'zone', value: i % 2 ? 'east' : 'west' }],
      resource: [],
      events: [],
      links: [],
      status: error ? { code: 'error', message: 'x' } : { code: 'unset' },
    })),
  );

/** The comparison as its mirror would read: A and B swapped. */
function mirrored(c: Comparison): unknown {
  const j = comparisonJson(c);
  return {
    a: j.b,
    b: j.a,
    nodes: j.nodes.map((n) => {
      const m: Record<string, unknown> = { path: n.path, countA: n.countB, countB: n.countA, durationA: n.durationB, durationB: n.durationA, selfA: n.selfB, selfB: n.selfA, errorsA: n.errorsB, errorsB: n.errorsA };
      if (n.onlyIn) m.onlyIn = n.onlyIn === 'a' ? 'b' : 'a';
      return m;
    }),
  };
}

describe('trace statistics and comparison', () => {
  it('self time never exceeds the duration, and statistics add up to the span count (property)', () => {
    fc.assert(
      fc.property(traceArb, fc.constantFrom('service', 'operation', 'zone', 'missing.key'), (spans, groupBy) => {
        const trace = linkTrace(spans);
        const self = selfTimes(trace);
        for (let r = 0; r < self.length; r++) assert.ok(self[r] >= 0 && self[r] <= trace.duration[r] + 1e-9, `row ${r}`);
        const { rows } = traceStats(trace, groupBy, self);
        assert.equal(rows.reduce((n, g) => n + g.count, 0), trace.spans.length);
        for (const g of rows) {
          assert.ok(g.selfUs <= g.totalUs + 1e-9, g.key);
          assert.ok(g.minUs <= g.avgUs + 1e-9 && g.avgUs <= g.maxUs + 1e-9, g.key);
          assert.ok(g.errors <= g.count);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a trace compared with itself shows no change, and A against B mirrors B against A (property)', () => {
    fc.assert(
      fc.property(traceArb, traceArb, (x, y) => {
        const a = linkTrace(x);
        const b = linkTrace(y);
        const same = compareTraces(a, a);
        assert.equal(same.nodes.filter((n) => isChanged(n)).length, 0);
        assert.equal(same.nodes.reduce((k, n) => k + n.countA, 0), a.spans.length);
        assert.deepEqual(mirrored(compareTraces(b, a)), comparisonJson(compareTraces(a, b)));
      }),
      { numRuns: 300 },
    );
  });

  it('a call removed from B is reported at exactly its node, and only there (property)', () => {
    fc.assert(
      fc.property(traceArb, fc.nat(), (spans, pick) => {
        const trace = linkTrace(spans);
        // A leaf: removing it leaves every other span where it was.
        const leaves = [...trace.spans.keys()].filter((r) => trace.childCount[r] === 0 && r > 0);
        fc.pre(leaves.length > 0);
        const removed = leaves[pick % leaves.length];
        const b = linkTrace(trace.spans.filter((_, r) => r !== removed));
        const c = compareTraces(trace, b);
        const countChanged = c.nodes.filter((n) => n.countA !== n.countB);
        assert.equal(countChanged.length, 1);
        assert.deepEqual(countChanged[0].rowsA.includes(removed), true);
        assert.equal(countChanged[0].countA - countChanged[0].countB, 1);
      }),
      { numRuns: 300 },
    );
  });

  it('groups the data-model trace by service and by operation, with self time', () => {
    const trace = linkTrace(decodeTrace(fixture('examples/zipkin-data-model-trace.json')).spans);
    const byService = traceStats(trace, 'service');
    assert.deepEqual(byService.rows.map((r) => [r.key, r.count]), [['zipkin-query', 5]]);
    const byOperation = traceStats(trace, 'operation');
    const get = byOperation.rows.find((r) => r.key === 'zipkin-query: get')!;
    // "get" lasts 386 ms and its child get-traces covers 354.37 ms of it.
    assert.equal(get.count, 1);
    assert.equal(Math.round(get.totalUs / 1000), 386);
    assert.equal(Math.round(get.selfUs / 1000), Math.round((trace.duration[0] - trace.duration[1]) / 1000));
    assert.equal(byOperation.rows.reduce((n, r) => n + r.count, 0), 5);
  });

  it('finds the slower call and the added call between two runs of the same request', () => {
    const base = generateTrace(300, 3);
    const slower = base.map((s) => ({ ...s }));
    const victim = slower.find((s) => s.parentId === base[0].spanId)!;
    const extra: Span = { ...victim, spanId: 'ffffffffffffff01', name: 'added call', durationUs: 1000, startUs: victim.startUs + 1 };
    victim.durationUs += 5_000_000;
    const c = compareTraces(linkTrace(base), linkTrace([...slower, extra]));
    const top = c.nodes[0];
    assert.equal(top.path.at(-1), `${victim.service}: ${victim.name}`);
    assert.ok(top.durationB - top.durationA >= 5_000_000 - 1);
    const added = c.nodes.find((n) => n.onlyIn === 'b')!;
    assert.deepEqual(added.path.at(-1), `${victim.service}: added call`);
    assert.equal(added.countB, 1);
    assert.equal(c.nodes.filter((n) => n.onlyIn).length, 1);
  });

  it('compares two 10,000-span traces and gives each node a parent', () => {
    const c = compareTraces(linkTrace(generateTrace(10_000, 1)), linkTrace(generateTrace(10_000, 2)));
    assert.equal(c.nodes.reduce((k, n) => k + n.countA, 0), 10_000);
    assert.equal(c.nodes.reduce((k, n) => k + n.countB, 0), 10_000);
    for (const n of c.nodes) {
      if (n.parent < 0) assert.equal(n.path.length, 1);
      else assert.deepEqual(c.nodes[n.parent].path, n.path.slice(0, -1));
    }
  });
});
