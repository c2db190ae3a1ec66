import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTraces } from '../../src/shared/trace/link';
import { parseQuery, searchTrace } from '../../src/shared/trace/search';
import { spanDetails } from '../../src/shared/trace/waterfall';
import { planRows, rowChunk } from '../../src/shared/trace/waterfallRows';
import { TraceRows } from '../../src/shared/trace/traceRows';
import { fixture } from './helpers';

describe('in-trace search and the waterfall payload', () => {
  const [trace] = linkTraces(decodeTrace(fixture('examples/zipkin-data-model-trace.json')).spans);

  it('parses quoted phrases and key=value terms', () => {
    assert.deepEqual(parseQuery('get "from `zipkin_spans`" lc=JDBC'), { terms: [{ text: 'get' }, { text: 'from `zipkin_spans`' }, { key: 'lc', value: 'jdbc' }] });
  });

  it('matches names, services, attribute keys and values, all terms together', () => {
    assert.deepEqual(searchTrace(trace, 'query').rows, [0, 1, 2, 3, 4]); // service zipkin-query matches all
    assert.deepEqual(searchTrace(trace, 'jdbc.query "where `zipkin_spans`.`trace_id` in"').rows, [3]);
    assert.deepEqual(searchTrace(trace, 'lc=jdbcspanstore').rows, [1]);
    assert.deepEqual(searchTrace(trace, ''), { rows: [] });
  });

  it('finds slow and fast spans with duration>, >=, < and <= in us, ms, s (a bare number is ms)', () => {
    // The data-model trace: get 386 ms > get-traces 354.37 ms > queries of 13, 1 and 2 ms (rows 0..4).
    assert.deepEqual(Array.from(trace.duration, (d) => Math.round(d / 1000)), [386, 354, 13, 1, 2]);
    assert.deepEqual(searchTrace(trace, 'duration>100ms').rows, [0, 1]);
    assert.deepEqual(searchTrace(trace, 'duration>0.36s').rows, [0]);
    assert.deepEqual(searchTrace(trace, 'duration<5').rows, [3, 4]);
    assert.deepEqual(searchTrace(trace, 'dur<=1000us').rows, [3]);
    assert.deepEqual(searchTrace(trace, 'duration<1000us').rows, []);
    assert.deepEqual(searchTrace(trace, 'query duration>=10ms duration<1s').rows, [0, 1, 2]);
  });

  it('leaves out spans that match a -term, quoted or not, while a hyphen inside a word is just a hyphen', () => {
    assert.deepEqual(parseQuery('-get -"a b" -status=ok -duration>1s order-42 -').terms, [
      { text: 'get', not: true },
      { text: 'a b', not: true },
      { key: 'status', value: 'ok', not: true },
      { duration: '>', us: 1_000_000, not: true },
      { text: 'order-42' },
      { text: '-' },
    ]);
    assert.deepEqual(searchTrace(trace, 'query -get').rows, [2, 3, 4]);
    assert.deepEqual(searchTrace(trace, '-"zipkin_annotations"').rows, [0, 1, 3]);
    assert.deepEqual(searchTrace(trace, 'query -duration<10ms').rows, [0, 1, 2]);
  });

  it('says which duration term it did not understand, and still searches with the rest', () => {
    const r = searchTrace(trace, 'get duration>fast');
    assert.match(r.error ?? '', /"duration>fast": give a duration like duration>10ms/);
    assert.deepEqual(r.rows, [0, 1]);
    assert.deepEqual(parseQuery('duration>fast').terms, []);
  });

  it('matches status=, kind=, service= and name= against the span itself, and attributes of those names too', () => {
    assert.deepEqual(searchTrace(trace, 'status=error').rows, []);
    assert.deepEqual(searchTrace(trace, 'status=unset').rows, [0, 1, 2, 3, 4]);
    assert.deepEqual(searchTrace(trace, 'name=traces').rows, [1]);
    assert.deepEqual(searchTrace(trace, 'service=zipkin-q name=get').rows, [0, 1]);
    const [failing] = linkTraces(decodeTrace(JSON.stringify([
      { traceId: 'a', id: '1', name: 'ok', kind: 'SERVER', timestamp: 1, duration: 5, localEndpoint: { serviceName: 's' } },
      { traceId: 'a', id: '2', parentId: '1', name: 'boom', timestamp: 2, duration: 1, localEndpoint: { serviceName: 's' }, tags: { error: 'disk full' } },
      { traceId: 'a', id: '3', parentId: '1', name: 'labelled', timestamp: 3, duration: 1, localEndpoint: { serviceName: 's' }, tags: { status: 'degraded' } },
    ])).spans);
    assert.deepEqual(searchTrace(failing, 'status=error').rows.map((r) => failing.spans[r].name), ['boom']);
    assert.deepEqual(searchTrace(failing, 'status=degraded').rows.map((r) => failing.spans[r].name), ['labelled']);
    assert.deepEqual(searchTrace(failing, 'kind=server').rows.map((r) => failing.spans[r].name), ['ok']);
  });

  it('sends the trace as columns relative to its start, with annotation marks and the critical path', () => {
    const plan = planRows(trace, 'test', 1);
    const data = new TraceRows(plan.header);
    for (const [from, to] of plan.ranges) assert.equal(data.apply(rowChunk(trace, plan, from, to)), 'applied');
    assert.equal(data.rowCount, 5);
    assert.deepEqual(data.services, ['zipkin-query']);
    assert.equal(data.start[0], 0);
    assert.equal(data.start[1], 11000);
    assert.deepEqual([...data.marks.get(0)!], [0, 386000]);
    assert.equal(data.critical(0), true);
    assert.equal(data.title, 'zipkin-query: get');
  });

  it('answers a span\u2019s details with its attributes, events and parent', () => {
    const d = spanDetails(trace, 2);
    assert.equal(d.name, 'query');
    assert.equal(d.parentId, 'ebf33e1a81dc6f71');
    assert.deepEqual(d.events.map((e) => [e.name, e.offsetUs]), [['cs', 0], ['cr', 13000]]);
    assert.throws(() => spanDetails(trace, 99), /no row 99/);
  });

  it('gives a span’s self time and its share of the critical path in its details', () => {
    // get (386 ms) waits on get-traces (354.37 ms) for all but 31.63 ms; both are on the critical path.
    const root = spanDetails(trace, 0);
    assert.equal(Math.round(root.selfUs / 10) / 100, 31.63);
    assert.equal(Math.round((root.criticalUs ?? 0) / 10) / 100, 31.63);
    const leaf = spanDetails(trace, 2);
    assert.equal(leaf.selfUs, leaf.durationUs);
    assert.equal(leaf.criticalUs, 13_000, 'the three queries run one after another: each is waited on whole');
    const [parallel] = linkTraces(decodeTrace(JSON.stringify([
      { traceId: 'c', id: '1', name: 'root', timestamp: 10, duration: 100, localEndpoint: { serviceName: 's' } },
      { traceId: 'c', id: '2', parentId: '1', name: 'long', timestamp: 20, duration: 80, localEndpoint: { serviceName: 's' } },
      { traceId: 'c', id: '3', parentId: '1', name: 'short', timestamp: 30, duration: 10, localEndpoint: { serviceName: 's' } },
    ])).spans);
    const short = spanDetails(parallel, parallel.spans.findIndex((x) => x.name === 'short'));
    assert.equal(short.criticalUs, undefined, 'a call in parallel with a longer one is not waited on');
    assert.equal(spanDetails(parallel, 0).selfUs, 20);
  });
});
