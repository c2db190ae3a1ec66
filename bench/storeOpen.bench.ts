/**
 * Opening a full local store on disk: 500 MB of 512-span OTLP protobuf batches (what SDKs send), then
 * the time from opening to the first listed traces, as a window shows them when it starts. Also the
 * write cost per span of keeping each checked batch on disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersistentStore } from '../src/node/store/persistentStore';
import { TraceLog } from '../src/node/store/traceLog';
import { encodeSpans } from '../src/shared/formats/encode';
import { TraceStore } from '../src/shared/store/traceStore';
import { generateTrace } from './generate';

export async function runStoreOpenBench(): Promise<{ megabytes: number; writeNsPerSpan: number; openMs: number; firstListMs: number; tracesLoaded: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'te-store-bench-'));
  try {
    const batches = Array.from({ length: 16 }, (_, k) => encodeSpans(generateTrace(512, 500 + k), 'otlp-proto').body as Uint8Array);
    const log = new TraceLog(dir, { maxBytes: 520 * 1024 * 1024 });
    log.open(1e9);
    let bytes = 0;
    let spans = 0;
    let n = 0;
    const t0 = performance.now();
    while (bytes < 500 * 1024 * 1024) {
      const data = batches[n % batches.length];
      log.append([{ kind: 'otlp-proto', timeMs: Date.now(), traceId: (++n).toString(16).padStart(32, '0'), spanCount: 512, data }]);
      bytes += data.length + 40;
      spans += 512;
    }
    log.close();
    const writeNsPerSpan = ((performance.now() - t0) * 1e6) / spans;
    const t1 = performance.now();
    const store = new TraceStore(200_000);
    const persistent = new PersistentStore(store, dir);
    persistent.open();
    const openMs = performance.now() - t1;
    const rows = store.list({ limit: 20 });
    const firstListMs = performance.now() - t1;
    persistent.close();
    if (rows.length !== 20) throw new Error(`store open bench: listed ${rows.length} traces`);
    return { megabytes: bytes / 1024 / 1024, writeNsPerSpan, openMs, firstListMs, tracesLoaded: store.stats().traces };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
