/**
 * A process that writes the store's log as fast as it can until it is killed: each record is one
 * trace's spans (a random size), and after each append returns it prints `acked N` synchronously, so
 * whoever kills it knows what was acknowledged. Usage: tsx logWriter.ts DIR SEED
 */
import { writeSync } from 'node:fs';
import { TraceLog } from '../../../src/node/store/traceLog';

const [dir, seedText] = process.argv.slice(2);
let seed = Number(seedText) || 1;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
// No retention: how much a round writes depends on how soon the test kills it, and on a busy machine
// 25 rounds have written more than the default 500 MB, whose oldest segments retention then dropped
// (seen once: 827 records fewer read back than acknowledged). Retention has a test of its own.
const log = new TraceLog(dir, { maxBytes: Number.MAX_SAFE_INTEGER });
const opened = log.open(1e9);
if (!opened.writer) throw new Error('not the writer');
let n = opened.records.length;
for (;;) {
  // Sizes up to a large SDK batch.
  const size = 1 + Math.floor(rand() * 40_000);
  const data = new Uint8Array(size).fill(n % 251);
  const traceId = (n + 1).toString(16).padStart(32, '0');
  log.append([{ kind: 'model-json', timeMs: Date.now(), traceId, spanCount: 1, data }]);
  n++;
  writeSync(1, `acked ${n}\n`);
}
