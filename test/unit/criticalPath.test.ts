import * as assert from 'node:assert/strict';
import { newSpan, type Span } from '../../src/shared/model';
import { criticalPath, criticalRows } from '../../src/shared/trace/criticalPath';
import { linkTrace } from '../../src/shared/trace/link';

function span(id: string, parentId: string | undefined, startUs: number, durationUs: number): Span {
  const s = newSpan('00000000000000aa', id.padStart(16, '0'));
  if (parentId) s.parentId = parentId.padStart(16, '0');
  return Object.assign(s, { name: id, startUs, durationUs });
}

describe('critical path', () => {
  it('follows the last-finishing child and gives the gaps to the parent', () => {
    // root 0..100; a 10..40; b 20..90 (overlaps a, finishes last); c 30..60 inside b
    const t = linkTrace([span('r', undefined, 0, 100), span('a', 'r', 10, 30), span('b', 'r', 20, 70), span('c', 'b', 30, 30)]);
    const path = criticalPath(t).map((s) => [t.spans[s.row].name, s.startUs, s.endUs]);
    assert.deepEqual(path, [
      ['r', 0, 20],
      ['b', 20, 30],
      ['c', 30, 60],
      ['b', 60, 90],
      ['r', 90, 100],
    ]);
    assert.ok(!criticalRows(t).has(1), 'a overlaps b and finished earlier: not waited on');
  });

  it('walks sequential children one after the other', () => {
    const t = linkTrace([span('r', undefined, 0, 100), span('a', 'r', 0, 40), span('b', 'r', 50, 50)]);
    const names = criticalPath(t).map((s) => t.spans[s.row].name);
    assert.deepEqual(names, ['a', 'r', 'b']);
  });

  it('keeps a call on the path that seems to end a fraction of a millisecond after the next began (OTel JS rounds starts to the ms)', () => {
    // As the demo's checkout recorded it: reserve 1000..15200, charge 15000..27940, receipt 28000..30555.
    const t = linkTrace([span('r', undefined, 0, 30_555), span('reserve', 'r', 1000, 14_200), span('charge', 'r', 15_000, 12_940), span('receipt', 'r', 28_000, 2555)]);
    assert.deepEqual([...criticalRows(t)].map((r) => t.spans[r].name).sort(), ['charge', 'r', 'receipt', 'reserve']);
    // Two calls that really ran side by side (one 5 ms into the other) are still told apart.
    const side = linkTrace([span('r', undefined, 0, 30_000), span('a', 'r', 1000, 19_000), span('b', 'r', 15_000, 15_000)]);
    assert.ok(!criticalRows(side).has(1), 'a overlaps b by 5 ms: b alone was waited on');
  });

  it('clamps a child that outlives its parent to the parent\u2019s end', () => {
    const t = linkTrace([span('r', undefined, 0, 10), span('a', 'r', 5, 100)]);
    const path = criticalPath(t).map((s) => [t.spans[s.row].name, s.startUs, s.endUs]);
    assert.deepEqual(path, [['r', 0, 5], ['a', 5, 10]]);
  });

  it('handles a 100,000-deep chain iteratively', () => {
    const spans: Span[] = [];
    for (let i = 1; i <= 100000; i++) spans.push(span(i.toString(16), i > 1 ? (i - 1).toString(16) : undefined, i, 200001 - 2 * i));
    const t = linkTrace(spans);
    assert.equal(criticalRows(t).size, 100000);
  });
});
