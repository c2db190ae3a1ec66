/**
 * The search index only narrows which rows the search checks; the answer must be exactly the plain
 * scan's, whatever the text (mixed case, letters whose lower case is longer or folds oddly, the index's
 * own separator, non-ASCII) and wherever the rows fall between the index's blocks.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateTrace } from '../../bench/generate';
import type { Span } from '../../src/shared/model';
import { linkTrace } from '../../src/shared/trace/link';
import { searchTrace } from '../../src/shared/trace/search';
import { SearchIndex } from '../../src/shared/trace/searchIndex';

/** Characters that trip up case-insensitive matching: ſ folds to S, K (Kelvin) to k, İ lower-cases to two chars. */
const TRICKY = ['S', 's', 'ſ', 'K', 'k', 'İ', 'i', 'ß', 'Σ', 'σ', 'ς', '😀', 'é', 'É'];
const ASCII = ['a', 'B', 'c', 'S', 's', 'K', 'k', 'i', 'I', ' ', '=', '-', '"', '\u0000'];
const letters = (alphabet: string[]): fc.Arbitrary<string> => fc.array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: 6 }).map((cs) => cs.join(''));
/** Mostly ASCII, so that many rows are looked up in the index rather than always checked. */
const word = fc.oneof({ arbitrary: letters(ASCII), weight: 3 }, { arbitrary: letters(TRICKY), weight: 1 });

function spanOf(i: number, name: string, service: string, key: string, value: string, event: string | undefined, resource: string): Span {
  return {
    traceId: 't1',
    spanId: (i + 1).toString(16).padStart(16, '0'),
    ...(i > 0 ? { parentId: '0000000000000001' } : {}),
    name,
    service,
    kind: i % 2 ? 'client' : 'server',
    startUs: 1_000 + i,
    durationUs: 10 + i,
    attributes: [{ key, value }, { key: 'n', value: i }],
    resource: [{ key: 'host.name', value: resource }],
    events: event === undefined ? [] : [{ timeUs: 1_000 + i, name: event, attributes: [] }],
    links: [],
    status: i % 3 ? { code: 'unset' } : { code: 'error', message: 'x' },
  };
}

const spansArb = fc.array(fc.tuple(word, word, word, word, fc.option(word, { nil: undefined }), word), { minLength: 1, maxLength: 40 }).map((rows) =>
  rows.map(([name, service, key, value, event, resource], i) => spanOf(i, name, service, key, value, event, resource)),
);

/** A query built from the trace's own text (case changed, cut, quoted, negated, as key=value) or made up. */
function queryArb(spans: Span[]): fc.Arbitrary<string> {
  const texts = spans.flatMap((s) => [s.name, s.service, s.attributes[0].key, String(s.attributes[0].value), s.resource[0].value as string, ...s.events.map((e) => e.name)]);
  const fromTrace = fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.nat(), fc.constantFrom('same', 'upper', 'lower')).map(([t, a, b, c]) => {
    const cut = t.slice(Math.min(a, b) % (t.length + 1), Math.max(a, b) % (t.length + 1) + 1);
    return c === 'upper' ? cut.toUpperCase() : c === 'lower' ? cut.toLowerCase() : cut;
  });
  const term = fc.tuple(fc.oneof(fromTrace, word), fc.constantFrom('', '-', '"', '-"', 'k=', 'status=', 'kind=', 'n=')).map(([t, how]) =>
    how.endsWith('"') ? `${how}${t}"` : `${how}${t.replace(/[\s"]/g, '')}`,
  );
  return fc.array(term, { minLength: 1, maxLength: 3 }).map((ts) => ts.join(' '));
}

describe('the search index', () => {
  it('answers exactly what the plain scan answers, for any text and query (property)', () => {
    fc.assert(
      fc.property(spansArb.chain((spans) => fc.tuple(fc.constant(spans), queryArb(spans), fc.integer({ min: 1, max: 8 }))), ([spans, query, blockRows]) => {
        const trace = linkTrace(spans);
        const index = SearchIndex.buildNow(trace, blockRows);
        assert.deepEqual(searchTrace(trace, query, index), searchTrace(trace, query), query);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds text whose case folds differently from how it lower-cases (É, a final Σ), in own and shared fields', () => {
    // "ΟΔΟΣ".toLowerCase() ends in a final sigma, ς, yet a case-insensitive "οδοσ" matches it.
    const spans = [spanOf(0, 'plain', 'svc', 'k', 'v', undefined, 'h'), spanOf(1, 'CAFÉ', 'svc', 'k', 'v', undefined, 'h'), spanOf(2, 'x', 'CAFÉ', 'k', 'v', undefined, 'h'), spanOf(3, 'x', 'svc', 'k', 'v', 'ÉVÉNEMENT', 'h'), spanOf(4, 'x', 'ΟΔΟΣ', 'k', 'v', undefined, 'h')];
    const trace = linkTrace(spans);
    const index = SearchIndex.buildNow(trace);
    for (const query of ['é', 'café', 'É', 'événement', 'service=café', 'οδοσ']) assert.deepEqual(searchTrace(trace, query, index), searchTrace(trace, query), query);
    assert.deepEqual(searchTrace(trace, 'café', index).rows, [1, 2]);
    assert.deepEqual(searchTrace(trace, 'événement', index).rows, [3]);
    assert.deepEqual(searchTrace(trace, 'οδοσ', index).rows, [4]);
  });

  it('finds matches in every block of a 40,000-span trace, the first and last row included', () => {
    const trace = linkTrace(generateTrace(40_000, 5));
    const index = SearchIndex.buildNow(trace);
    const last = trace.spans.length - 1;
    for (const query of ['checkout', 'CACHE.MISS', 'h7.ts', 'status=error', 'http.route=/api/items/96 -get', trace.spans[0].spanId, trace.spans[last].spanId, 'nothing-like-this']) {
      const plain = searchTrace(trace, query);
      assert.deepEqual(searchTrace(trace, query, index), plain, query);
    }
    assert.deepEqual(searchTrace(trace, trace.spans[last].spanId, index).rows, [last]);
    assert.deepEqual(searchTrace(trace, trace.spans[0].spanId, index).rows, [0]);
  });

  it('is not used for a trace it was not built for (the spans changed since)', () => {
    const before = linkTrace(generateTrace(60, 1));
    const after = linkTrace(generateTrace(60, 2));
    const index = SearchIndex.buildNow(before);
    assert.deepEqual(searchTrace(after, after.spans[59].spanId, index).rows, [59]);
  });
});
