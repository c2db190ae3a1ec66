/**
 * Trace statistics, trace comparison and indexed search, each as a ratio to a baseline measured in the
 * same run on the same data: linking the trace (what opening it costs anyway), and for search, the plain
 * scan the index replaces. Absolute targets from the issue are printed beside the ratios.
 */
import { compareTraces } from '../src/shared/trace/compare';
import { linkTrace } from '../src/shared/trace/link';
import { searchTrace } from '../src/shared/trace/search';
import { SearchIndex } from '../src/shared/trace/searchIndex';
import { traceStats } from '../src/shared/trace/stats';
import { generateTrace } from './generate';

export interface AnalysisResult {
  name: string;
  ms: number;
  baselineName: string;
  baselineMs: number;
  targetMs?: number;
}

/** The best of a few runs, after a warm-up. */
function best(f: () => unknown, runs = 5): number {
  f();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

export function runAnalysisBench(searchSpans = Number(process.env.BENCH_SEARCH_SPANS ?? 1_000_000)): AnalysisResult[] {
  const out: AnalysisResult[] = [];
  const a10 = generateTrace(10_000, 21);
  const b10 = generateTrace(10_000, 22);
  const ta = linkTrace(a10);
  const tb = linkTrace(b10);
  out.push({ name: 'compare two 10,000-span traces', ms: best(() => compareTraces(ta, tb)), baselineName: 'linking both', baselineMs: best(() => (linkTrace(a10), linkTrace(b10))), targetMs: 300 });
  const s100 = generateTrace(100_000, 23);
  const t100 = linkTrace(s100);
  out.push({ name: 'statistics of a 100,000-span trace, by operation', ms: best(() => traceStats(t100, 'operation')), baselineName: 'linking it', baselineMs: best(() => linkTrace(s100), 2), targetMs: 200 });
  const big = linkTrace(generateTrace(searchSpans, 24));
  const t0 = performance.now();
  const index = SearchIndex.buildNow(big);
  const buildMs = performance.now() - t0;
  for (const query of ['checkout', 'h7.ts', 'status=error']) {
    out.push({ name: `search "${query}" in ${searchSpans.toLocaleString('en')} spans, indexed (index built in the background in ${Math.round(buildMs)} ms)`, ms: best(() => searchTrace(big, query, index), 2), baselineName: 'the plain scan', baselineMs: best(() => searchTrace(big, query), 2), targetMs: 1000 });
  }
  return out;
}

export function formatAnalysisResult(r: AnalysisResult): string {
  const target = r.targetMs === undefined ? '' : `; target ≤ ${r.targetMs} ms: ${r.ms <= r.targetMs ? 'met' : 'NOT met'}`;
  return `${r.name}: ${r.ms.toFixed(1)} ms = ${(r.ms / r.baselineMs).toFixed(2)}× ${r.baselineName} (${r.baselineMs.toFixed(1)} ms)${target}`;
}
