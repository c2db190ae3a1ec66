/** TraceQL as Tempo reads it: typed literals, bare intrinsics, scopes, and the most_recent hint. */
import * as assert from 'node:assert/strict';
import { guessValueType, traceqlCondition, traceqlField, traceqlLiteral, traceqlOf, withMostRecent, withoutHints } from '../../src/shared/query/traceql';

describe('TraceQL for the filters a user sets', () => {
  it('keeps intrinsics bare and scoped attributes as they are; any other name becomes an unscoped attribute', () => {
    assert.deepEqual(['status', 'event:name', 'trace:rootService', 'span.http.route', 'resource.k8s.pod', 'event.exception.type', 'link.x', 'instrumentation.y', '.db', 'http.method'].map(traceqlField), [
      'status', 'event:name', 'trace:rootService', 'span.http.route', 'resource.k8s.pod', 'event.exception.type', 'link.x', 'instrumentation.y', '.db', '.http.method',
    ]);
  });

  it('writes each value type the way TraceQL compares it, and refuses a value that is not of its tag\u2019s type', () => {
    assert.equal(traceqlCondition('span.http.status_code', '500', 'int'), 'span.http.status_code = 500');
    assert.equal(traceqlCondition('span.http.status_code', '500', 'string'), 'span.http.status_code = "500"');
    assert.equal(traceqlCondition('cache.hit', 'true', 'bool'), '.cache.hit = true');
    assert.equal(traceqlCondition('ratio', '0.25', 'float'), '.ratio = 0.25');
    assert.equal(traceqlCondition('status', 'error'), 'status = error', 'an intrinsic keeps its own type whatever the value looks like');
    assert.equal(traceqlCondition('duration', '150ms'), 'duration = 150ms');
    assert.equal(traceqlCondition('name', 'GET "/x"'), 'name = "GET \\"/x\\""');
    assert.throws(() => traceqlLiteral('lots', 'int', 'span.n'), /span\.n holds integers; "lots" is not one/);
    assert.throws(() => traceqlLiteral('failed', 'keyword', 'status'), /status is one of error, ok, unset/);
    assert.throws(() => traceqlLiteral('yes', 'bool'), /true or false/);
  });

  it('guesses a type from the look of a value Tempo gave no type for', () => {
    assert.deepEqual(['500', '-3', '0.5', '1e3', 'true', 'false', '500ms', 'GET'].map(guessValueType), ['int', 'int', 'float', 'float', 'bool', 'bool', 'string', 'string']);
  });

  it('asks for the most recent traces once, and can drop the hint for an older Tempo', () => {
    const q = traceqlOf({ service: 'api', minDurationUs: 100_000 }, { mostRecent: true });
    assert.equal(q, '{ resource.service.name = "api" && duration >= 100ms } with (most_recent=true)');
    assert.equal(withMostRecent(q), q);
    assert.equal(withoutHints(q), '{ resource.service.name = "api" && duration >= 100ms }');
  });
});
