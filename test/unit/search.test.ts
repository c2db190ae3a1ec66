import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTraces } from '../../src/shared/trace/link';
import { parseQuery, searchTrace } from '../../src/shared/trace/search';
import { spanDetails, toWaterfallData } from '../../src/shared/trace/waterfall';
import { fixture } from './helpers';

describe('in-trace search and the waterfall payload', () => {
  const [trace] = linkTraces(decodeTrace(fixture('examples/zipkin-data-model-trace.json')).spans);

  it('parses quoted phrases and key=value terms', () => {
    assert.deepEqual(parseQuery('get "from `zipkin_spans`" lc=JDBC'), { terms: [{ text: 'get' }, { text: 'from `zipkin_spans`' }, { key: 'lc', value: 'jdbc' }] });
  });

  it('matches names, services, attribute keys and values, all terms together', () => {
    assert.deepEqual(searchTrace(trace, 'query'), [0, 1, 2, 3, 4]); // service zipkin-query matches all
    assert.deepEqual(searchTrace(trace, 'jdbc.query "where `zipkin_spans`.`trace_id` in"'), [3]);
    assert.deepEqual(searchTrace(trace, 'lc=jdbcspanstore'), [1]);
    assert.deepEqual(searchTrace(trace, ''), []);
  });

  it('sends the trace as columns relative to its start, with annotation marks and the critical path', () => {
    const data = toWaterfallData(trace, 'test');
    assert.equal(data.rowCount, 5);
    assert.deepEqual(data.services, ['zipkin-query']);
    assert.equal(data.start[0], 0);
    assert.equal(data.start[1], 11000);
    assert.deepEqual(data.marks[0], [0, 386000]);
    assert.equal(data.critical[0], 1);
    assert.equal(data.title, 'zipkin-query: get');
  });

  it('answers a span\u2019s details with its attributes, events and parent', () => {
    const d = spanDetails(trace, 2);
    assert.equal(d.name, 'query');
    assert.equal(d.parentId, 'ebf33e1a81dc6f71');
    assert.deepEqual(d.events.map((e) => [e.name, e.offsetUs]), [['cs', 0], ['cr', 13000]]);
    assert.throws(() => spanDetails(trace, 99), /no row 99/);
  });
});
