/**
 * The local store on disk: it reads back what was written, repairs a write torn by a kill (many kills
 * of a real writing process), skips a corrupt segment, keeps to its size, clears for real, lets one
 * process write while another reads, and brings a TraceStore back across a restart, spans exact.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersistentStore, spansFromJson, spansToJson } from '../../src/node/store/persistentStore';
import { SEGMENT_BYTES, TraceLog, type LogRecord } from '../../src/node/store/traceLog';
import { encodeSpans } from '../../src/shared/formats/encode';
import { newSpan, type Span } from '../../src/shared/model';
import { TraceStore } from '../../src/shared/store/traceStore';
import { generateTrace } from '../../bench/generate';

const ROOT = join(__dirname, '..', '..');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'te-log-'));
const rec = (n: number, size = 100): LogRecord => ({ kind: 'model-json', timeMs: 1_700_000_000_000 + n, traceId: n.toString(16).padStart(32, '0'), spanCount: 1, data: new Uint8Array(size).fill(n % 251) });
const segFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.log')).sort();

describe('the local store on disk (append-only log)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const dir = (): string => {
    const d = tmp();
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('reads back every record in order, with its bytes', () => {
    const d = dir();
    const log = new TraceLog(d);
    log.open(1e9);
    log.append([rec(1), rec(2, 5000)]);
    log.append([rec(3)]);
    log.close();
    const again = new TraceLog(d);
    const { records, writer, tornBytes } = again.open(1e9);
    again.close();
    assert.equal(writer, true);
    assert.equal(tornBytes, 0);
    assert.deepEqual(records.map((r) => [r.traceId.slice(-1), r.data.length, r.data[0]]), [['1', 100, 1], ['2', 5000, 2], ['3', 100, 3]]);
  });

  it('a torn last write (half a record) is cut off on open, and the log keeps going after it', () => {
    const d = dir();
    const log = new TraceLog(d);
    log.open(1e9);
    log.append([rec(1), rec(2)]);
    log.close();
    const [seg] = segFiles(d);
    const size = statSync(join(d, seg)).size;
    appendFileSync(join(d, seg), Buffer.from([0x54, 0x45, 0x4c, 0x31, 0xff, 0, 0, 0, 1, 2])); // a header and nothing more
    const again = new TraceLog(d);
    const opened = again.open(1e9);
    assert.equal(opened.records.length, 2);
    assert.equal(opened.tornBytes, 10);
    assert.equal(statSync(join(d, seg)).size, size, 'truncated back to the last good record');
    again.append([rec(3)]);
    again.close();
    const third = new TraceLog(d);
    assert.deepEqual(third.open(1e9).records.map((r) => r.traceId.slice(-1)), ['1', '2', '3']);
    third.close();
  });

  it('killed mid-write 25 times, it opens each time without repair and has lost nothing it acknowledged', async () => {
    const d = dir();
    let acked = 0;
    for (let round = 0; round < 25; round++) {
      // One process (node with tsx's loader), so SIGKILL reaches the writer itself.
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'helpers', 'logWriter.ts'), d, String(round + 1)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      // Let it write for a while (it needs ~0.3 s to start), then kill it without warning.
      const started = Date.now();
      while (!/acked/.test(out) && Date.now() - started < 20_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      assert.match(out, /acked/, `the writer never wrote: ${err}`);
      await new Promise((r) => setTimeout(r, 20 + ((round * 37) % 120)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const lines = out.trim().split('\n').filter((l) => l.startsWith('acked '));
      acked = Number(lines[lines.length - 1].slice(6));
      const log = new TraceLog(d);
      const opened = log.open(1e12);
      log.close();
      assert.ok(opened.records.length >= acked, `round ${round}: ${opened.records.length} records read back, ${acked} acknowledged`);
      assert.ok(opened.records.length <= acked + 1, 'at most the batch being written beyond what was acknowledged');
      opened.records.forEach((r, i) => assert.equal(r.traceId, (i + 1).toString(16).padStart(32, '0'), `record ${i} in order and intact`));
      // The writer restarts from what is on disk: trim the count to it so numbering continues.
      acked = opened.records.length;
    }
    assert.ok(acked > 25, `wrote ${acked} records over 25 kills`);
  });

  it('a corrupt record in an older segment ends that segment, is counted, and the rest still reads', () => {
    const d = dir();
    const log = new TraceLog(d);
    log.open(1e9);
    // Fill past one segment so there are two.
    const big = Math.ceil(SEGMENT_BYTES / 4);
    for (let i = 1; i <= 5; i++) log.append([rec(i, big)]);
    log.append([rec(6)]);
    log.close();
    const files = segFiles(d);
    assert.equal(files.length, 2);
    const first = join(d, files[0]);
    const buf = readFileSync(first);
    buf[buf.length - 10] ^= 0xff; // flip a byte inside the first segment's last record
    writeFileSync(first, buf);
    const again = new TraceLog(d);
    const opened = again.open(1e9);
    again.close();
    assert.ok(opened.corruptBytes > 0);
    assert.deepEqual(opened.records.map((r) => Number.parseInt(r.traceId, 16)), [1, 2, 3, 5, 6]);
  });

  it('keeps to its size: the oldest segments go first', () => {
    const d = dir();
    const log = new TraceLog(d, { maxBytes: SEGMENT_BYTES * 2 });
    log.open(1e9);
    const big = Math.ceil(SEGMENT_BYTES / 3);
    for (let i = 1; i <= 12; i++) log.append([rec(i, big)]);
    log.close();
    const total = segFiles(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);
    assert.ok(total <= SEGMENT_BYTES * 3, `${total} bytes on disk`);
    const again = new TraceLog(d);
    const ids = again.open(1e9).records.map((r) => Number.parseInt(r.traceId, 16));
    again.close();
    assert.equal(ids[ids.length - 1], 12, 'the newest kept');
    assert.ok(ids[0] > 1, 'the oldest gone');
  });

  it('clear() really deletes from disk', () => {
    const d = dir();
    const log = new TraceLog(d);
    log.open(1e9);
    log.append([rec(1, 10_000)]);
    log.clear();
    log.close();
    assert.deepEqual(segFiles(d).map((f) => statSync(join(d, f)).size), [0]);
  });

  it('while one live process writes, another opens it read-only, and takes over when that one is gone', async () => {
    const d = dir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const reader = new TraceLog(d);
    try {
      writeFileSync(join(d, 'writer.lock'), String(holder.pid));
      assert.equal(reader.open(1e9).writer, false);
      reader.append([rec(1)]);
      assert.deepEqual(segFiles(d), [], 'a reader writes nothing');
      assert.equal(reader.tryBecomeWriter(), false, 'not while the writer lives');
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('close', r));
    }
    // The writer's process ended while this one was open: it takes over writing, without reopening.
    assert.equal(reader.tryBecomeWriter(), true);
    reader.append([rec(2)]);
    reader.close();
    const taker = new TraceLog(d);
    const opened = taker.open(1e9);
    assert.equal(opened.writer, true, 'the lock, released, is taken');
    assert.deepEqual(opened.records.map((r) => Number.parseInt(r.traceId, 16)), [2]);
    taker.close();
  });

  it('a TraceStore comes back after a restart: OTLP protobuf and model JSON, times the source did not give included', () => {
    const d = dir();
    const store = new TraceStore(10_000);
    const p = new PersistentStore(store, d);
    p.open();
    const spans: Span[] = [
      { ...newSpan('0'.repeat(31) + 'a', '0000000000000001'), name: 'zipkin piece', service: 'web', startUs: NaN, durationUs: 5, shared: true, localEndpoint: { serviceName: 'web', ipv4: '10.0.0.1', port: 80 } },
    ];
    store.add(spans);
    const proto = encodeSpans([{ ...newSpan('0'.repeat(31) + 'b', '0000000000000002'), name: 'otlp', service: 'api', startUs: 1_700_000_000_000_000, durationUs: 7 }], 'otlp-proto').body as Uint8Array;
    store.addEncoded([{ traceId: '0'.repeat(31) + 'b', spanCount: 1, bytes: proto, decode: () => [] }]);
    p.close();
    const restarted = new TraceStore(10_000);
    const q = new PersistentStore(restarted, d);
    q.open();
    assert.equal(q.stats().loadedTraces, 2);
    assert.deepEqual(restarted.get('0'.repeat(31) + 'a'), spans, 'model JSON exact, NaN kept');
    assert.equal(restarted.get('0'.repeat(31) + 'b')?.[0].name, 'otlp');
    q.clear();
    q.close();
    const empty = new TraceStore(10_000);
    const r = new PersistentStore(empty, d);
    r.open();
    r.close();
    assert.equal(empty.stats().traces, 0, 'Clear Local Traces deleted them from disk');
  });

  it('after a restart lists its traces without decoding any, from the list rows kept beside the log; a trace that changed since is decoded to list it', () => {
    const d = dir();
    const store = new TraceStore(100_000);
    const p = new PersistentStore(store, d);
    p.open();
    const big = generateTrace(5000, 3);
    store.add(big.slice(0, 2500));
    store.add(big.slice(2500));
    store.add([{ ...newSpan('0'.repeat(31) + 'c', '0000000000000003'), name: 'small', service: 'web', startUs: 1_700_000_000_000_000, durationUs: 9 }]);
    const before = store.list();
    p.close();

    const restarted = new TraceStore(100_000);
    const q = new PersistentStore(restarted, d);
    q.open();
    const after = restarted.list();
    assert.deepEqual(after.map((r) => ({ ...r, updatedMs: 0 })), before.map((r) => ({ ...r, updatedMs: 0 })), 'the same rows, newest first');
    assert.ok(after.every((r) => restarted.isEncoded(r.traceId)), 'listing decoded nothing');
    assert.equal(q.stats().keptRows, 2);
    // A filter on span names needs the spans: that trace is decoded then, and only it.
    assert.equal(restarted.list({ spanName: 'small' }).length, 1);
    assert.equal(restarted.isEncoded(big[0].traceId), false, 'filtering by span name reads the spans');
    // More spans of the small trace, and its kept row made not to match them (as after a crash before
    // the rows were written): the row is not used, the trace is decoded to list it.
    restarted.add([{ ...newSpan('0'.repeat(31) + 'c', '0000000000000004'), parentId: '0000000000000003', name: 'late', service: 'web', startUs: 1_700_000_000_000_001, durationUs: 1 }]);
    q.close();
    writeFileSync(join(d, 'summaries.json'), readFileSync(join(d, 'summaries.json'), 'utf8').replace(/"spanCount":2/, '"spanCount":1'));
    const third = new TraceStore(100_000);
    const r = new PersistentStore(third, d);
    r.open();
    const row = third.list().find((x) => x.traceId.endsWith('c'))!;
    assert.equal(row.spanCount, 2, 'a kept row that no longer matches is not used: the trace is decoded');
    r.close();
    writeFileSync(join(d, 'summaries.json'), '{ not json');
    const fourth = new TraceStore(100_000);
    const s2 = new PersistentStore(fourth, d);
    s2.open();
    assert.equal(fourth.list().length, 2, 'an unreadable file of rows is ignored');
    s2.close();
  });

  it('writes that arrive while the previous writer still holds the lock are written once it is taken over', async () => {
    const d = dir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    writeFileSync(join(d, 'writer.lock'), String(holder.pid));
    const store = new TraceStore();
    const p = new PersistentStore(store, d);
    assert.equal(p.open(), false);
    store.add([{ ...newSpan('0'.repeat(31) + 'c', '0000000000000003'), name: 'during the take-over', service: 'x', startUs: 1, durationUs: 1 }]);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('close', r));
    assert.equal(p.tryBecomeWriter(), true);
    p.close();
    const after = new TraceStore();
    const q = new PersistentStore(after, d);
    q.open();
    q.close();
    assert.equal(after.get('0'.repeat(31) + 'c')?.[0].name, 'during the take-over');
  });

  it('spans survive the JSON round trip exactly (NaN, -Infinity, 64-bit strings)', () => {
    const s: Span = { ...newSpan('ab'.repeat(16), 'cd'.repeat(8)), startUs: NaN, durationUs: Number.NEGATIVE_INFINITY, attributes: [{ key: 'big', value: '12345678901234567890' }, { key: 'x', value: NaN }] };
    assert.deepEqual(spansFromJson(spansToJson([s])), [s]);
  });

  it('a truncated segment of 0 bytes (killed before its first write) opens as empty', () => {
    const d = dir();
    writeFileSync(join(d, '000001.log'), '');
    truncateSync(join(d, '000001.log'), 0);
    const log = new TraceLog(d);
    assert.equal(log.open(1e9).records.length, 0);
    log.close();
  });
});
