import * as assert from 'node:assert/strict';
import { decodeTrace } from '../../src/shared/formats/detect';
import { linkTraces } from '../../src/shared/trace/link';
import { serverShift } from '../../src/shared/trace/skew';
import { traceWarnings } from '../../src/shared/trace/trace';
import { fixture } from './helpers';

describe('clock-skew correction', () => {
  const spans = decodeTrace(fixture('zipkin-shared-skew.json')).spans;

  it('is off by default: the early server half stays where its clock put it', () => {
    const [t] = linkTraces(spans);
    assert.deepEqual(Array.from(t.adjust), [0, 0, 0, 0]);
    assert.equal(t.start[2], 1699999999995000);
  });

  it('centres the server inside its client and records how far it moved', () => {
    const [t] = linkTraces(spans, { adjustSkew: true });
    // client 5,000..15,000 µs after the root, server 6,000 µs long: latency (10,000 − 6,000)/2 = 2,000.
    assert.equal(t.start[2], 1700000000007000);
    assert.equal(t.adjust[2], 12000);
    assert.match(traceWarnings(t).join('\n'), /2000000000000002:shared: clock skew: moved \+12 ms/);
  });

  it('carries the shift to descendants on the server\u2019s host, not to the client side', () => {
    const [t] = linkTraces(spans, { adjustSkew: true });
    assert.equal(t.adjust[3], 12000);
    assert.equal(t.start[3], 1700000000008000);
    assert.equal(t.adjust[0], 0);
    assert.equal(t.adjust[1], 0);
  });

  it('leaves a server that already fits in its client alone', () => {
    assert.equal(serverShift(100, 50, 110, 20), 0);
  });

  it('pushes a server 1 µs after a shorter client, and a one-way span 1 µs after its client', () => {
    assert.equal(serverShift(100, 10, 90, 30), 11);
    assert.equal(serverShift(100, 0, 40, 5), 61);
  });
});
