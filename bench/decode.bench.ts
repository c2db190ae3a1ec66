/**
 * Decode + link of a generated 100,000-span trace, as a ratio to `JSON.parse` of the same bytes in the
 * same process (target ≤ 1.5× for OTLP/JSON). Protobuf is printed against the same JSON.parse baseline.
 * Not a test: it prints numbers; run with `npm run bench`.
 */
import { decodeTrace } from '../src/shared/formats/detect';
import { encodeSpans } from '../src/shared/formats/encode';
import { linkTraces } from '../src/shared/trace/link';
import { generateTrace } from './generate';

const SPANS = Number(process.env.BENCH_SPANS ?? 100_000);
/** Rounds, rounded up to whole rotations (one round per function). */
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

/**
 * Median wall times of the baseline and each subject, interleaved after one warm-up so drift in the
 * machine's speed hits all alike. Each round starts one further along the rotation, so every function
 * follows every other equally often: whoever runs right after `JSON.parse` inherits its ~400 MB of
 * garbage to collect, and in a fixed order that was always the same subject (measured: +0.15× on it).
 * No forced GC between runs: a collection forced right before a run shrinks the heap and penalises
 * whoever allocates next, which is not how the code runs in practice.
 */
function interleaved(baseline: () => unknown, subjects: Array<() => unknown>): { baseline: number; subjects: number[] } {
  const all = [baseline, ...subjects];
  for (const f of all) f();
  const times: number[][] = all.map(() => []);
  const rounds = Math.ceil(RUNS / all.length) * all.length; // whole rotations
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < all.length; j++) {
      const k = (r + j) % all.length;
      const t = performance.now();
      all[k]();
      times[k].push(performance.now() - t);
    }
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { baseline: med(times[0]), subjects: times.slice(1).map(med) };
}

export function runDecodeBench(): Array<{ name: string; ms: number; baselineMs: number; ratio: number; target?: number }> {
  const spans = generateTrace(SPANS);
  const json = encodeSpans(spans, 'otlp-json').body as string;
  const proto = encodeSpans(spans, 'otlp-proto').body as Uint8Array;
  const jsonBytes = new TextEncoder().encode(json);

  const m = interleaved(() => JSON.parse(json), [
    () => linkTraces(decodeTrace(json).spans),
    () => linkTraces(decodeTrace(jsonBytes).spans),
    () => linkTraces(decodeTrace(proto).spans),
    () => linkTraces(spans),
  ]);
  const parse = m.baseline;
  const [decodeLinkJson, decodeLinkJsonBytes, decodeLinkProto, linkOnly] = m.subjects;

  console.log(`decode bench: ${SPANS} spans, OTLP/JSON ${(json.length / 1e6).toFixed(1)} MB, protobuf ${(proto.length / 1e6).toFixed(1)} MB, median of ${RUNS} rounds in rotating order`);
  return [
    { name: 'OTLP/JSON text: decode + link vs JSON.parse', ms: decodeLinkJson, baselineMs: parse, ratio: decodeLinkJson / parse, target: 1.5 },
    { name: 'OTLP/JSON bytes (UTF-8 decode included) vs JSON.parse', ms: decodeLinkJsonBytes, baselineMs: parse, ratio: decodeLinkJsonBytes / parse },
    { name: 'OTLP protobuf: decode + link vs JSON.parse of the JSON form', ms: decodeLinkProto, baselineMs: parse, ratio: decodeLinkProto / parse },
    { name: 'link alone vs JSON.parse', ms: linkOnly, baselineMs: parse, ratio: linkOnly / parse },
  ];
}
