import * as assert from 'node:assert/strict';
import { formatDuration, parseDurationInput } from '../../src/shared/time';

describe('durations as people read and type them', () => {
  it('formats µs, ms, s, min, h and days, two decimals at most', () => {
    assert.deepEqual([12, 1500, 2_500_000, 90_000_000, 5_400_000_000, 170_553_600_000_000].map(formatDuration), ['12 µs', '1.5 ms', '2.5 s', '1.5 min', '1.5 h', '1974 d']);
    assert.equal(formatDuration(Number.NaN), '?');
  });

  it('reads 100ms, 1.5s, 250us, 2m, 1h, 2d and a bare number as ms; refuses anything else', () => {
    assert.deepEqual(['100ms', '1.5s', '250us', '250µs', '2m', '1h', '2d', '7', ' 3 ms '].map(parseDurationInput), [100_000, 1_500_000, 250, 250, 120_000_000, 3_600_000_000, 172_800_000_000, 7000, 3000]);
    for (const bad of ['', 'fast', '1.5.2s', '-3ms', '10 parsecs']) assert.equal(parseDurationInput(bad), undefined, bad);
  });
});
