/**
 * The waterfall's transfer: a header and chunks of typed-array rows from the host, assembled in the
 * webview in whatever order they come. What a user would notice if it broke: rows in the wrong
 * place, a half-drawn trace shown as complete, or rows of a trace they already left.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateTrace } from '../../bench/generate';
import type { RowChunk } from '../../src/shared/protocol';
import { linkTrace } from '../../src/shared/trace/link';
import { SAVED_LOAD_ID, SAVED_ROWS, saveScreen, savedChunk, type SavedScreen } from '../../src/shared/trace/savedScreen';
import { TraceRows } from '../../src/shared/trace/traceRows';
import { chunkRanges, planRows, rowChunk, sendRows } from '../../src/shared/trace/waterfallRows';

const trace = linkTrace(generateTrace(3000, 7));

function chunksOf(loadId: number, firstRow = 0, size = 400): { rows: TraceRows; chunks: RowChunk[] } {
  const plan = planRows(trace, 'test', loadId, {});
  const ranges = chunkRanges(trace.spans.length, firstRow, 100, size);
  return { rows: new TraceRows({ ...plan.header, chunkCount: ranges.length }), chunks: ranges.map(([a, b]) => rowChunk(trace, plan, a, b)) };
}

function assertSameAsTrace(rows: TraceRows): void {
  assert.ok(rows.complete);
  for (let r = 0; r < trace.spans.length; r++) {
    assert.equal(rows.name[r], trace.spans[r].name, `name of row ${r}`);
    assert.equal(rows.spanId(r), trace.uid[r], `span id of row ${r}`);
    assert.equal(rows.parent[r], trace.parent[r]);
    assert.equal(rows.subtreeEnd[r], trace.subtreeEnd[r]);
    assert.equal(rows.start[r], trace.start[r] - trace.startUs);
    assert.equal(rows.duration[r], trace.duration[r]);
    assert.equal(rows.services[rows.service[r]], trace.spans[r].service);
    assert.equal(rows.kind(r), trace.spans[r].kind);
    assert.equal(rows.error(r), trace.spans[r].status.code === 'error');
    assert.equal(rows.marks.get(r)?.length ?? 0, trace.spans[r].events.length);
  }
}

describe('waterfall rows in chunks', () => {
  it('covers every row exactly once, the first screen around the selected row first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 2000 }), (n, select, first, size) => {
        const ranges = chunkRanges(n, Math.min(select, Math.max(0, n - 1)), first, size);
        const seen = new Uint8Array(n);
        for (const [a, b] of ranges) for (let r = a; r < b; r++) seen[r]++;
        assert.ok(seen.every((x) => x === 1));
        if (n) {
          const [a, b] = ranges[0];
          const want = Math.min(select, n - 1);
          assert.ok(want >= a && want < b, `row ${want} is in the first chunk [${a}, ${b})`);
        }
      }),
    );
  });

  it('assembles the same trace from chunks arriving in any order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: trace.spans.length - 1 }), fc.integer({ min: 50, max: 1500 }), fc.integer(), (select, size, seed) => {
        const { rows, chunks } = chunksOf(1, select, size);
        const order = fc.sample(fc.shuffledSubarray(chunks, { minLength: chunks.length, maxLength: chunks.length }), { seed, numRuns: 1 })[0];
        for (const c of order) {
          assert.ok(!rows.complete, 'not complete before the last chunk');
          assert.equal(rows.apply(c), 'applied');
        }
        assertSameAsTrace(rows);
      }),
      { numRuns: 20 },
    );
  });

  it('shows rows not arrived yet as placeholders, never as rows of zero length at the start', () => {
    const { rows, chunks } = chunksOf(1, 2000);
    rows.apply(chunks[0]);
    assert.ok(rows.has(2000) && !rows.has(0) && !rows.complete);
    assert.equal(rows.spanId(0), '');
    assert.equal(rows.subtreeEnd[0], 1, 'a row not arrived is a leaf: collapsing it hides nothing');
    assert.equal(rows.rowOfSpanId(trace.uid[0]), -1);
    assert.equal(rows.rowOfSpanId(trace.uid[2000]), 2000);
  });

  it('drops chunks of an earlier load (a trace replaced while loading) and repeated chunks', () => {
    const old = chunksOf(1);
    const now = chunksOf(2);
    for (const c of old.chunks) assert.equal(now.rows.apply(c), 'other-load');
    assert.equal(now.rows.arrivedRows, 0);
    assert.equal(now.rows.apply(now.chunks[1]), 'applied');
    assert.equal(now.rows.apply(now.chunks[1]), 'repeated');
    assert.equal(now.rows.arrivedRows, now.chunks[1].to - now.chunks[1].from);
  });

  it('refuses a malformed chunk whole: out of range, short columns, overlapping, bad name index or id bytes', () => {
    const { rows, chunks } = chunksOf(1);
    const c = chunks[1];
    const bad: RowChunk[] = [
      { ...c, to: trace.spans.length + 5 },
      { ...c, from: -1 },
      { ...c, start: c.start.subarray(1) },
      { ...c, nameIndex: Uint32Array.from(c.nameIndex, () => 99_999) },
      { ...c, ids: c.ids.subarray(0, 3) },
      { ...c, from: c.from + 0.5 },
    ];
    for (const b of bad) assert.equal(rows.apply(b), 'invalid');
    assert.equal(rows.arrivedRows, 0);
    assert.equal(rows.apply(c), 'applied');
    assert.equal(rows.apply({ ...chunks[2], from: chunks[2].from - 1, to: chunks[2].to - 1 }), 'invalid', 'overlaps the applied chunk');
    assert.equal(rows.name[c.from], trace.spans[c.from].name);
  });

  it('keeps span ids that are not ASCII intact', () => {
    const weird = linkTrace([
      { ...generateTrace(1, 3)[0], spanId: 'ä€😀-root' },
      { ...generateTrace(2, 3)[1], spanId: 'plain', parentId: 'ä€😀-root' },
    ]);
    const plan = planRows(weird, 'test', 1);
    const rows = new TraceRows(plan.header);
    for (const [a, b] of plan.ranges) rows.apply(rowChunk(weird, plan, a, b));
    assert.deepEqual([rows.spanId(0), rows.spanId(1)], ['ä€😀-root', 'plain']);
    assert.equal(rows.rowOfSpanId('plain'), 1);
  });

  it('stops sending when the load is no longer wanted, between chunks', async () => {
    const plan = planRows(trace, 'test', 1);
    const posted: string[] = [];
    let wanted = true;
    const whole = await sendRows(trace, { ...plan, ranges: chunkRanges(trace.spans.length, 0, 100, 500) }, (m) => {
      posted.push(m.type);
      if (posted.length === 3) wanted = false; // the user clicked another trace
    }, { current: () => wanted, pause: () => Promise.resolve() });
    assert.equal(whole, false);
    assert.deepEqual(posted, ['traceStart', 'rows', 'rows']);
  });

  it('resolves the span to select to its row, sent in the header', () => {
    const plan = planRows(trace, 'test', 1, { selectSpanId: trace.uid[1234] });
    assert.equal(plan.header.selectRow, 1234);
    assert.ok(plan.ranges[0][0] <= 1234 && 1234 < plan.ranges[0][1]);
    assert.equal(planRows(trace, 'test', 1, { selectSpanId: 'nope' }).header.selectRow, undefined);
  });
});

describe('the first screen saved for a window reload', () => {
  function whole(): TraceRows {
    const { rows, chunks } = chunksOf(3);
    for (const c of chunks) rows.apply(c);
    return rows;
  }

  it('comes back, through JSON, as the same rows around the selected span, with ids, names and event marks', () => {
    const rows = whole();
    for (const selected of [-1, 0, 1500, trace.spans.length - 1]) {
      const saved = JSON.parse(JSON.stringify(saveScreen(rows, selected))) as SavedScreen;
      const chunk = savedChunk(saved)!;
      const again = new TraceRows(saved.header);
      assert.equal(again.apply(chunk), 'applied');
      assert.equal(chunk.to - chunk.from, SAVED_ROWS);
      if (selected >= 0) {
        assert.ok(selected >= chunk.from && selected < chunk.to, `row ${selected} is in the saved screen`);
        assert.equal(saved.header.selectRow, selected);
      } else assert.equal(chunk.from, 0, 'without a selection, the first rows: what the host sends first');
      for (let r = chunk.from; r < chunk.to; r++) {
        assert.equal(again.name[r], rows.name[r]);
        assert.equal(again.spanId(r), rows.spanId(r));
        assert.equal(again.start[r], rows.start[r]);
        assert.equal(again.subtreeEnd[r], rows.subtreeEnd[r]);
        assert.equal(again.flags[r], rows.flags[r]);
        assert.deepEqual(Array.from(again.marks.get(r) ?? []), Array.from(rows.marks.get(r) ?? []));
      }
      assert.equal(again.loadId, SAVED_LOAD_ID, 'no chunk of a host load can mix into it');
      assert.equal(again.complete, false);
    }
  });

  it('is not saved from a trace still arriving, and state that is not a saved screen restores nothing', () => {
    const { rows, chunks } = chunksOf(4, 0, 400);
    rows.apply(chunks[chunks.length - 1]);
    assert.equal(saveScreen(rows, -1), undefined, 'the first rows have not arrived');
    const good = saveScreen(whole(), -1)!;
    assert.equal(savedChunk(undefined), undefined);
    assert.equal(savedChunk({ ...good, header: { ...good.header, loadId: 7 } }), undefined);
    assert.equal(savedChunk({ ...good, rows: { ...good.rows, depth: good.rows.depth.slice(1) } }), undefined);
    assert.equal(savedChunk({ header: good.header } as unknown as SavedScreen), undefined);
  });
});
