/** `npm run bench:waterfall`: the waterfall against Zipkin Lens in headless Chromium (see waterfall.bench.ts). */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runWaterfallBench } from './waterfall.bench';

async function main(): Promise<void> {
  console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const { launchChromium } = (await import(join(__dirname, '..', '..', 'scripts', 'code-server.mjs'))) as { launchChromium: () => Promise<import('playwright-core').Browser> };
  await runWaterfallBench(launchChromium);
}

void main();
