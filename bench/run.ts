/** Runs every benchmark and prints each result as a ratio to its in-run baseline. */
import { cpus, totalmem } from 'node:os';
import { runDecodeBench } from './decode.bench';

const results = runDecodeBench();
console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const r of results) {
  const verdict = r.target === undefined ? '' : r.ratio <= r.target ? `  (target ≤ ${r.target}×: met)` : `  (target ≤ ${r.target}×: NOT met)`;
  console.log(`${r.name}: ${r.ms.toFixed(1)} ms vs ${r.baselineMs.toFixed(1)} ms = ${r.ratio.toFixed(2)}×${verdict}`);
}
