/**
 * The waterfall's state store: what the rows, ruler, minimap and panes redraw from. What a user would
 * notice if it broke: a selected span hidden in a collapsed subtree, "matches only" losing a match's
 * place in the tree, a pane left showing the previous state because it was not told of a change.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateTrace } from '../../bench/generate';
import { linkTrace } from '../../src/shared/trace/link';
import { TraceRows } from '../../src/shared/trace/traceRows';
import { chunkRanges, planRows, rowChunk } from '../../src/shared/trace/waterfallRows';
import { visiblePos, WaterfallStore, type Change } from '../../src/webview/waterfall/store';

const trace = linkTrace(generateTrace(2000, 11));

function loaded(): { store: WaterfallStore; changes: Array<Set<Change>> } {
  const plan = planRows(trace, 'test', 1, {});
  const ranges = chunkRanges(trace.spans.length, 0, 100, 500);
  const rows = new TraceRows({ ...plan.header, chunkCount: ranges.length });
  const store = new WaterfallStore();
  const changes: Array<Set<Change>> = [];
  store.subscribe((_v, changed) => changes.push(new Set(changed)));
  store.load(rows);
  for (const [a, b] of ranges) rows.apply(rowChunk(trace, plan, a, b));
  store.complete();
  return { store, changes };
}

/** Rows with children, for collapsing. */
const parents = Array.from(trace.subtreeEnd).flatMap((end, r) => (end > r + 1 ? [r] : []));

describe('waterfall store', () => {
  it('shows every row of a new trace, and tells its subscribers a new trace came and then that it is whole', () => {
    const { store, changes } = loaded();
    const v = store.view!;
    assert.equal(v.visibleCount, trace.spans.length);
    assert.deepEqual([...changes[0]].sort(), ['trace', 'visible', 'zoom']);
    assert.ok(changes.at(-1)!.has('complete'));
    // Sibling positions for screen readers: every root and child is numbered 1..n among its siblings.
    for (let r = 0; r < trace.spans.length; r++) assert.ok(v.posInSet[r] >= 1 && v.posInSet[r] <= v.setSize[r]);
  });

  it('a collapsed row hides exactly its subtree, and expanding it brings the subtree back', () => {
    const { store } = loaded();
    const v = store.view!;
    const r = parents[3];
    const hidden = trace.subtreeEnd[r] - r - 1;
    store.toggle(r);
    assert.equal(v.visibleCount, trace.spans.length - hidden);
    assert.equal(visiblePos(v, r + 1), -1, 'the first child is hidden');
    assert.ok(visiblePos(v, r) >= 0, 'the collapsed row itself stays');
    store.toggle(r, true);
    assert.equal(v.visibleCount, trace.spans.length);
  });

  it('selecting a span inside collapsed subtrees expands its ancestors and says both the rows and the selection changed', () => {
    const { store, changes } = loaded();
    const deep = Array.from(trace.depth).findIndex((d) => d >= 3);
    store.setAllCollapsed(true);
    const v = store.view!;
    assert.equal(visiblePos(v, deep), -1);
    changes.length = 0;
    assert.ok(store.select(deep));
    assert.ok(visiblePos(v, deep) >= 0, 'the selected span is on show');
    assert.deepEqual([...changes[0]].sort(), ['selection', 'visible']);
    assert.equal(v.selected, deep);
    assert.equal(store.select(trace.spans.length), false, 'a row past the end is not selected');
  });

  it('"matches only" keeps every match and its ancestors, in tree order, and nothing else', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: trace.spans.length - 1 }), { minLength: 1, maxLength: 30 }), (matches) => {
        const { store } = loaded();
        store.setMatches(matches, true);
        const v = store.view!;
        const want = new Set<number>();
        for (const m of matches) for (let r = m; r >= 0; r = trace.parent[r]) want.add(r);
        const shown = Array.from(v.visible.subarray(0, v.visibleCount));
        assert.deepEqual(shown, [...want].sort((a, b) => a - b));
      }),
      { numRuns: 25 },
    );
  });

  it('steps through matches in both directions, wrapping at the ends', () => {
    const { store } = loaded();
    store.setMatches([5, 9, 40]);
    assert.deepEqual([store.stepMatch(1), store.stepMatch(1), store.stepMatch(1), store.stepMatch(1)], [5, 9, 40, 5]);
    assert.equal(store.stepMatch(-1), 40);
    store.setMatches([]);
    assert.equal(store.stepMatch(1), -1);
  });

  it('a new trace keeps "matches only" and the critical path switched on, but not the old matches or selection', () => {
    const { store } = loaded();
    store.setMatches([7], true);
    store.setCritical(true);
    store.select(7);
    store.load(new TraceRows({ ...planRows(trace, 'test', 2, {}).header, chunkCount: 1 }));
    const v = store.view!;
    assert.equal(v.matchesOnly, true);
    assert.equal(v.showCritical, true);
    assert.equal(v.selected, -1);
    assert.equal(v.matches.length, 0);
    assert.equal(v.visibleCount, trace.spans.length, 'no matches yet: everything is on show');
  });
});
