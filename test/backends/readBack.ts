import assert from 'node:assert/strict';
import type { TraceSource } from '../../src/node/sources/traceSource';
import type { Span } from '../../src/shared/model';

/** Poll until the backend returns all `count` spans of the trace: real backends index asynchronously. */
export async function readBack(source: TraceSource, traceId: string, count: number, timeoutMs = 20_000): Promise<Span[]> {
  const deadline = Date.now() + timeoutMs;
  let last: Span[] | undefined;
  while (Date.now() < deadline) {
    last = await source.getTrace(traceId);
    if (last && last.length >= count) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${source.label} returned ${last?.length ?? 0} of ${count} spans of ${traceId} after ${timeoutMs / 1000} s`);
}
