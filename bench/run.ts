/** Runs every benchmark and prints each result as a ratio to its in-run baseline. BENCH=decode,ingest picks some. */
import { cpus, totalmem } from 'node:os';
import { formatAgentResult, runAgentBench } from './agent.bench';
import { formatAnalysisResult, runAnalysisBench } from './analysis.bench';
import { runDecodeBench } from './decode.bench';
import { runGrpcIngestBench } from './grpcIngest.bench';
import { runIngestBench } from './ingest.bench';
import { runStoreOpenBench } from './storeOpen.bench';
import { runThriftBench } from './thrift.bench';

async function main(): Promise<void> {
  const only = process.env.BENCH?.split(',');
  console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  if (!only || only.includes('decode')) {
    for (const r of runDecodeBench()) {
      const verdict = r.target === undefined ? '' : r.ratio <= r.target ? `  (target ≤ ${r.target}×: met)` : `  (target ≤ ${r.target}×: NOT met)`;
      console.log(`${r.name}: ${r.ms.toFixed(1)} ms vs ${r.baselineMs.toFixed(1)} ms = ${r.ratio.toFixed(2)}×${verdict}`);
    }
  }
  if (!only || only.includes('ingest')) {
    for (const r of await runIngestBench()) console.log(`${r.name}: ${r.value} (ratio ${r.ratio.toFixed(2)}; target ${r.target}: ${r.met ? 'met' : 'NOT met'})`);
  }
  if (!only || only.includes('grpc')) {
    const g = await runGrpcIngestBench();
    const http = g.rows.find((r) => r.name.startsWith('OTLP/HTTP'))!;
    for (const r of g.rows) console.log(`ingest ${r.name}: ${Math.round(r.spansPerSecond).toLocaleString('en')} spans/s = ${(r.spansPerSecond / http.spansPerSecond).toFixed(2)}× the HTTP path; server CPU ${r.serverCpuPerRequestUs.toFixed(0)} µs per 512-span request; ${r.failures} failed`);
    console.log(`gRPC bundle, minified: node:http2 receiver ${g.bundleKb.ours.toFixed(1)} KiB, @grpc/grpc-js ${g.bundleKb.grpcJs.toFixed(1)} KiB; store write ${g.storeWriteNsPerSpan.toFixed(0)} ns per span (checked parts kept encoded)`);
  }
  if (!only || only.includes('store')) {
    const s = await runStoreOpenBench();
    console.log(`local store on disk: ${s.megabytes.toFixed(0)} MB written at ${s.writeNsPerSpan.toFixed(0)} ns per span; opened in ${s.openMs.toFixed(0)} ms (${s.tracesLoaded} newest traces read back), first 20 traces listed ${s.firstListMs.toFixed(0)} ms after opening began (target ≤ 1000 ms: ${s.firstListMs <= 1000 ? 'met' : 'NOT met'})`);
  }
  if (!only || only.includes('analysis')) {
    for (const r of runAnalysisBench()) console.log(formatAnalysisResult(r));
  }
  if (!only || only.includes('agent')) {
    for (const r of await runAgentBench()) console.log(formatAgentResult(r));
  }
  if (!only || only.includes('thrift')) {
    for (const r of await runThriftBench()) console.log(`Jaeger Thrift, ${r.name}: ours ${r.ours.toFixed(1)} ${r.unit}, Apache Thrift ${r.library.toFixed(1)} ${r.unit} = ${(r.ours / r.library).toFixed(2)}×`);
  }
}

void main();
