// Benchmarks run on an esbuild bundle, like the shipped extension and CLI: run through a TypeScript
// loader instead, every cross-module constant becomes a getter call, which would skew the numbers.
import { build } from 'esbuild';
await build({ entryPoints: ['bench/run.ts'], outfile: 'out/bench/run.js', bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['esbuild'] });
await build({ entryPoints: ['bench/waterfallRun.ts'], outfile: 'out/bench/waterfallRun.js', bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['playwright-core', 'esbuild'] });
