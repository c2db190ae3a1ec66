/**
 * The waterfall next to Zipkin Lens (served by the real Zipkin jar) on the same generated trace, in one
 * headless Chromium: time to the first rendered span rows from navigation, JS heap after load (after a
 * forced GC), frames per second while scrolling for 3 s, and the longest task while loading and while
 * scrolling. Our page decodes and links the trace in the page itself (the extension host's work in VS
 * Code), so its numbers include work VS Code would do elsewhere. Jaeger's UI cannot be included here:
 * the Jaeger built from its Go module serves a placeholder page (the UI assets are embedded only in
 * release builds, which cannot be downloaded on this machine, and the UI is not published to npm).
 * Run: npm run bench:waterfall (BENCH_WATERFALL_SPANS=100000 by default).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encodeSpans } from '../src/shared/formats/encode';
import { startZipkin, type Peer } from '../test/peers/realPeers';
import { generateTrace } from './generate';

const ROOT = join(__dirname, '..', '..');
const SIZES = (process.env.BENCH_WATERFALL_SPANS ?? '100000,20000').split(',').map(Number);
const LOAD_TIMEOUT_MS = Number(process.env.BENCH_WATERFALL_TIMEOUT_MS ?? 120_000);
const ROOT_NAME = 'zzrootzz'; // lowercase: Zipkin lowercases names on ingest

interface Result {
  firstRowsMs: number;
  heapMb: number;
  fps: number;
  longestLoadTaskMs: number;
  longestScrollTaskMs: number;
}

async function ourServer(traceText: string): Promise<{ url: string; server: Server }> {
  const files: Record<string, [string, string]> = {
    '/host.js': ['out/test/webview/host.js', 'text/javascript'],
    '/loader.js': ['out/bench/waterfallLoader.js', 'text/javascript'],
    '/webview.js': ['dist/webview.js', 'text/javascript'],
    '/waterfall.css': ['media/waterfall.css', 'text/css'],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'"><link rel="stylesheet" href="/waterfall.css"></head><body><script src="/loader.js"></script></body></html>`);
    } else if (path === '/trace.json') {
      res.setHeader('content-type', 'application/json');
      res.end(traceText);
    } else if (files[path]) {
      res.setHeader('content-type', files[path][1]);
      res.end(readFileSync(join(ROOT, files[path][0])));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Long tasks, recorded from the first moment of the page. */
function observeLongTasks(): void {
  const w = window as unknown as { __longtasks: Array<{ start: number; duration: number }> };
  w.__longtasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

async function measure(browser: Browser, url: string, rowsAppeared: (page: Page) => Promise<number>): Promise<Result> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    page.on('pageerror', (e) => console.error(`page error at ${url}: ${e.message}`));
    await page.addInitScript(observeLongTasks);
    await page.goto(url, { timeout: LOAD_TIMEOUT_MS });
    const firstRowsMs = await rowsAppeared(page);
    await page.waitForTimeout(1000); // let the load settle before measuring the heap
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    // Typed arrays' contents (our rows) live outside the JS heap proper: counted when Chromium reports them.
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
    const scroll = await page.evaluate(async () => {
      // The element that scrolls the most is the span list, in either UI.
      let best: Element = document.scrollingElement ?? document.body;
      for (const el of document.querySelectorAll('*')) if (el.scrollHeight - el.clientHeight > best.scrollHeight - best.clientHeight) best = el;
      const start = performance.now();
      let frames = 0;
      await new Promise<void>((done) => {
        const step = (): void => {
          frames++;
          best.scrollTop = (best.scrollTop + 60) % Math.max(1, best.scrollHeight - best.clientHeight);
          if (performance.now() - start < 3000) requestAnimationFrame(step);
          else done();
        };
        requestAnimationFrame(step);
      });
      const end = performance.now();
      return { fps: (frames / (end - start)) * 1000, start, end };
    });
    const tasks = await page.evaluate(() => (window as unknown as { __longtasks: Array<{ start: number; duration: number }> }).__longtasks);
    const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);
    return {
      firstRowsMs,
      heapMb: (heap.usedSize + (heap.backingStorageSize ?? 0)) / 1024 / 1024,
      fps: scroll.fps,
      longestLoadTaskMs: max(tasks.filter((t) => t.start < scroll.start).map((t) => t.duration)),
      longestScrollTaskMs: max(tasks.filter((t) => t.start >= scroll.start).map((t) => t.duration)),
    };
  } finally {
    await page.close();
  }
}

/** performance.now() (ms since navigation) at the first animation frame where the selector matches. */
function whenVisible(page: Page, xpath: string): Promise<number> {
  return page
    .waitForFunction((xp) => (document.evaluate(xp, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue ? performance.now() : false), xpath, { polling: 'raf', timeout: LOAD_TIMEOUT_MS })
    .then((h) => h.jsonValue() as Promise<number>);
}

/**
 * Measure in a browser of its own, killed at a hard deadline: a UI that blocks its main thread on a
 * huge trace can hang every protocol call, so a timeout inside the page is not enough.
 */
async function measureIsolated(launch: () => Promise<Browser>, url: string, rowsAppeared: (page: Page) => Promise<number>): Promise<Result | string> {
  const browser = await launch();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no rows within ${LOAD_TIMEOUT_MS / 1000} s (the page's main thread stayed busy)`), LOAD_TIMEOUT_MS + 60_000);
  });
  try {
    return await Promise.race([measure(browser, url, rowsAppeared).catch((e: Error) => `failed: ${e.message.split('\n')[0]}`), deadline]);
  } finally {
    clearTimeout(timer);
    const proc = (browser as unknown as { process?: () => { kill(signal: string): void } | null }).process?.();
    await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 5_000))]);
    proc?.kill('SIGKILL');
  }
}

export async function runWaterfallBench(launch: () => Promise<Browser>): Promise<void> {
  const { build } = await import('esbuild');
  await build({ entryPoints: [join(ROOT, 'test/webview/pageHost.ts')], outfile: join(ROOT, 'out/test/webview/host.js'), bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning' });
  await build({ entryPoints: [join(ROOT, 'bench/waterfallLoader.ts')], outfile: join(ROOT, 'out/bench/waterfallLoader.js'), bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning' });
  let zipkin: Peer | undefined;
  try {
    zipkin = await startZipkin();
    for (const [k, size] of SIZES.entries()) {
      // A trace of its own per size: Zipkin keeps every size's spans, and one shared id would make the
      // smaller size's trace hold the larger one's spans too.
      const spans = generateTrace(size, 11 + k);
      spans[0].name = ROOT_NAME;
      const traceId = spans[0].traceId;
      const body = encodeSpans(spans, 'zipkin').body as string;
      // Ingest into Zipkin in slices (its collector takes a list per request).
      for (let i = 0; i < spans.length; i += 5000) {
        const res = await fetch(zipkin.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeSpans(spans.slice(i, i + 5000), 'zipkin').body as string });
        if (res.status !== 202) throw new Error(`Zipkin refused the benchmark trace: ${res.status} ${await res.text()}`);
      }
      await new Promise((r) => setTimeout(r, 2000));
      const ours = await ourServer(body);
      try {
        // The root row is the first one either UI renders; Zipkin Lens also shows its name in the header, so
        // its rows are there when the name appears twice.
        const a = await measureIsolated(launch, ours.url, (p) => whenVisible(p, `//*[contains(@class,'row')]//*[text()[contains(.,'${ROOT_NAME}')]]`));
        console.log(`\nwaterfall bench: ${size.toLocaleString('en')} spans (${(body.length / 1e6).toFixed(0)} MB of Zipkin JSON)`);
        if (typeof a === 'string') {
          console.log(`  ours: ${a}`);
          continue;
        }
        console.log(`  ours measured: first rows ${a.firstRowsMs.toFixed(0)} ms, heap ${a.heapMb.toFixed(1)} MB, ${a.fps.toFixed(1)} fps, longest task ${a.longestLoadTaskMs.toFixed(0)} ms loading / ${a.longestScrollTaskMs.toFixed(0)} ms scrolling`);
        const b = await measureIsolated(launch, `${zipkin.url}/zipkin/traces/${traceId}`, (p) => whenVisible(p, `(//*[text()[contains(.,'${ROOT_NAME}')]])[2]`));
        const row = (name: string, x: number, y: number | undefined, unit: string, target: string): void =>
          console.log(`  ${name.padEnd(30)} ours ${x.toFixed(1).padStart(8)} ${unit}   Zipkin Lens ${y === undefined ? '     n/a' : y.toFixed(1).padStart(8)} ${unit}   ratio ${y === undefined ? 'n/a' : (x / y).toFixed(3)}   ${target}`);
        const z = typeof b === 'string' ? undefined : b;
        if (typeof b === 'string') console.log(`  Zipkin Lens: ${b}`);
        row('first rendered rows', a.firstRowsMs, z?.firstRowsMs, 'ms', z ? (a.firstRowsMs <= z.firstRowsMs / 10 ? '(target ≤ 0.1: met)' : '(target ≤ 0.1: NOT met)') : '');
        row('JS heap after load', a.heapMb, z?.heapMb, 'MB', '');
        row('scrolling', a.fps, z?.fps, 'fps', a.fps >= 55 ? '(target ≥ 55 fps: met)' : '(target ≥ 55 fps: NOT met)');
        row('longest task while loading', a.longestLoadTaskMs, z?.longestLoadTaskMs, 'ms', '');
        row('longest task while scrolling', a.longestScrollTaskMs, z?.longestScrollTaskMs, 'ms', a.longestScrollTaskMs <= 50 ? '(target ≤ 50 ms: met)' : '(target ≤ 50 ms: NOT met)');
      } finally {
        ours.server.close();
      }
    }
  } finally {
    await zipkin?.stop();
  }
}
