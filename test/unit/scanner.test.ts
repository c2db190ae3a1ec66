import * as assert from 'node:assert/strict';
import { lineColumn, nodeAtPath, nodeValue, offsetOf, scanJson } from '../../src/shared/json/scanner';

describe('tolerant JSON scanner', () => {
  it('keeps the offsets of values and keys', () => {
    const text = '{"a": [1, "x\\"y"], "b": null}';
    const { values, errors } = scanJson(text);
    assert.deepEqual(errors, []);
    const root = values[0];
    const x = nodeAtPath(root, ['a', 1]);
    assert.equal(text.slice(x.start, x.end), '"x\\"y"');
    assert.deepEqual(nodeValue(root), { a: [1, 'x"y'], b: null });
  });

  it('splits concatenated values and reports each one\u2019s range', () => {
    const text = '{"a":1}\n{"b":2}\n[3]';
    const { values } = scanJson(text);
    assert.deepEqual(values.map((v) => text.slice(v.start, v.end)), ['{"a":1}', '{"b":2}', '[3]']);
  });

  it('collects errors for broken JSON and still closes what is open', () => {
    const { values, errors } = scanJson('[{"a": 1, "b": }');
    assert.equal(values.length, 1);
    assert.ok(errors.length >= 1);
    assert.match(errors.map((e) => e.message).join('; '), /missing value for "b"|unexpected end of input/);
  });

  it('survives 100,000 levels of nesting without recursion', () => {
    const text = '['.repeat(100000) + ']'.repeat(100000);
    const { values, errors } = scanJson(text);
    assert.deepEqual(errors, []);
    assert.equal(values[0].end, 200000);
  });

  it('converts between offsets and 1-based lines and columns', () => {
    const text = 'ab\ncd\nef';
    assert.deepEqual(lineColumn(text, 4), { line: 2, column: 2 });
    assert.equal(offsetOf(text, 3, 2), 7);
  });
});
