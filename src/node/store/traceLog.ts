/**
 * The local store on disk: an append-only log of what the receiver acknowledged, the way tracing
 * backends' write-ahead logs work, so traces survive a window reload, a VS Code restart and a crash of
 * the extension host. No native modules (it must run in every VS Code build, remote, and code-server):
 * plain files and node:zlib's CRC-32.
 *
 * - Segments `000001.log`, `000002.log`, …; only the newest is written, and a full one (16 MiB) is
 *   flushed to disk and never written again.
 * - A record: magic `TEL1`, payload length and CRC-32 (u32 little-endian each), then the payload: kind
 *   (1 = one trace's checked OTLP protobuf, 2 = one trace's spans as model JSON), arrival time (f64 ms),
 *   the trace id, the span count, the data.
 * - A write torn by a kill can only be at the end of the newest segment: opening stops at the first
 *   record whose length or CRC does not hold, truncates the file there, and so loses at most the batch
 *   being written. A bad record in an older segment (a disk fault) ends that segment's reading; it is
 *   counted, never fatal.
 * - Retention: oldest segments first, by total size and by age; `clear()` deletes every segment.
 * - One writer: a lock file names the process that writes; another process opening the same directory
 *   reads and does not write (a second VS Code window), and takes over when that process is gone.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const MAGIC = 0x314c4554; // 'TEL1' little-endian
const HEADER = 12;
export const SEGMENT_BYTES = 16 * 1024 * 1024;

export type LogRecordKind = 'otlp-proto' | 'model-json';

export interface LogRecord {
  kind: LogRecordKind;
  timeMs: number;
  traceId: string;
  spanCount: number;
  data: Uint8Array;
}

export interface TraceLogOptions {
  /** Total size kept on disk (default 500 MB); the oldest segments go first. */
  maxBytes?: number;
  /** Age kept (default 7 days); a segment goes when its newest record is older. */
  maxAgeMs?: number;
  now?: () => number;
}

export interface OpenResult {
  /** Records in the order they were written, newest last; only the newest that fit `spanBudget`. */
  records: LogRecord[];
  /** Whether this process writes (holds the lock) or only read what another writes. */
  writer: boolean;
  /** Bytes cut from the end of the newest segment (a write torn by a kill), and bad bytes skipped elsewhere. */
  tornBytes: number;
  corruptBytes: number;
}

export interface LogStats {
  bytes: number;
  segments: number;
  writer: boolean;
}

function encodeRecord(r: LogRecord): Buffer {
  const id = Buffer.from(r.traceId, 'ascii');
  const payload = Buffer.alloc(1 + 8 + 1 + id.length + 4 + r.data.length);
  let o = 0;
  payload[o++] = r.kind === 'otlp-proto' ? 1 : 2;
  payload.writeDoubleLE(r.timeMs, o);
  o += 8;
  payload[o++] = id.length;
  id.copy(payload, o);
  o += id.length;
  payload.writeUInt32LE(r.spanCount, o);
  o += 4;
  payload.set(r.data, o);
  const head = Buffer.alloc(HEADER);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(payload.length, 4);
  head.writeUInt32LE(crc32(payload), 8);
  return Buffer.concat([head, payload]);
}

/** The records of one segment's bytes, and where the last good one ends. */
export function readRecords(buf: Buffer): { records: LogRecord[]; goodEnd: number } {
  const records: LogRecord[] = [];
  let o = 0;
  while (o + HEADER <= buf.length) {
    if (buf.readUInt32LE(o) !== MAGIC) break;
    const len = buf.readUInt32LE(o + 4);
    if (len < 14 || o + HEADER + len > buf.length) break;
    const payload = buf.subarray(o + HEADER, o + HEADER + len);
    if (crc32(payload) !== buf.readUInt32LE(o + 8)) break;
    const kind = payload[0];
    const idLen = payload[9];
    if ((kind !== 1 && kind !== 2) || 10 + idLen + 4 > len) break;
    records.push({
      kind: kind === 1 ? 'otlp-proto' : 'model-json',
      timeMs: payload.readDoubleLE(1),
      traceId: payload.toString('ascii', 10, 10 + idLen),
      spanCount: payload.readUInt32LE(10 + idLen),
      data: payload.subarray(10 + idLen + 4),
    });
    o += HEADER + len;
  }
  return { records, goodEnd: o };
}

export class TraceLog {
  private fd: number | undefined;
  private activeSeq = 0;
  private activeSize = 0;
  private writer = false;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    readonly dir: string,
    options: TraceLogOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 500 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600 * 1000;
    this.now = options.now ?? Date.now;
  }

  private get lockPath(): string {
    return join(this.dir, 'writer.lock');
  }

  private segments(): number[] {
    return readdirSync(this.dir)
      .map((f) => /^(\d{6})\.log$/.exec(f)?.[1])
      .filter((x): x is string => !!x)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private segmentPath(seq: number): string {
    return join(this.dir, `${String(seq).padStart(6, '0')}.log`);
  }

  /** Take the writer's lock unless a live process holds it (a stale lock of a dead one is taken over). */
  private lock(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(readFileSync(this.lockPath, 'utf8').trim());
        if (pid === process.pid) return true;
        if (Number.isInteger(pid) && pid > 0 && alive(pid)) return false;
        try {
          unlinkSync(this.lockPath);
        } catch {
          // another process took it over first; the next attempt says who
        }
      }
    }
    return false;
  }

  /**
   * Open the log: take the writer's lock if free, apply retention, read back the newest records that
   * fit `spanBudget` (older ones stay on disk until retention removes them), and repair a torn end.
   */
  open(spanBudget: number): OpenResult {
    mkdirSync(this.dir, { recursive: true });
    this.writer = this.lock();
    if (this.writer) this.applyRetention();
    const segs = this.segments();
    let tornBytes = 0;
    let corruptBytes = 0;
    const chunks: LogRecord[][] = [];
    let spans = 0;
    for (let i = segs.length - 1; i >= 0 && spans < spanBudget; i--) {
      const path = this.segmentPath(segs[i]);
      const buf = readFileSync(path);
      const { records, goodEnd } = readRecords(buf);
      if (goodEnd < buf.length) {
        if (i === segs.length - 1) {
          tornBytes = buf.length - goodEnd;
          if (this.writer) truncate(path, goodEnd);
        } else corruptBytes += buf.length - goodEnd;
      }
      // Copy out of the segment's buffer: a few live records must not pin a whole 16 MiB segment.
      chunks.push(records.map((r) => ({ ...r, data: Uint8Array.prototype.slice.call(r.data) })));
      for (const r of records) spans += r.spanCount;
    }
    if (this.writer) {
      this.activeSeq = segs.length ? segs[segs.length - 1] : 1;
      this.openActive();
    }
    return { records: chunks.reverse().flat(), writer: this.writer, tornBytes, corruptBytes };
  }

  /**
   * Try again to become the writer (the previous one's process may still be ending): take the lock if it
   * is free now, cut a torn end off the newest segment, and append from there.
   */
  tryBecomeWriter(): boolean {
    if (this.writer) return true;
    if (!this.lock()) return false;
    this.writer = true;
    this.applyRetention();
    const segs = this.segments();
    this.activeSeq = segs.length ? segs[segs.length - 1] : 1;
    if (segs.length) {
      const path = this.segmentPath(this.activeSeq);
      const buf = readFileSync(path);
      const { goodEnd } = readRecords(buf);
      if (goodEnd < buf.length) truncate(path, goodEnd);
    }
    this.openActive();
    return true;
  }

  private openActive(): void {
    this.fd = openSync(this.segmentPath(this.activeSeq), 'a');
    this.activeSize = fstatSync(this.fd).size;
  }

  get isWriter(): boolean {
    return this.writer;
  }

  /** Append records; when this process is not the writer, nothing (the writer keeps them). */
  append(records: readonly LogRecord[]): void {
    if (!this.writer || this.fd === undefined || records.length === 0) return;
    const buf = Buffer.concat(records.map(encodeRecord));
    // One write per batch: a kill tears at most this batch, at the end of the file.
    writeSync(this.fd, buf);
    this.activeSize += buf.length;
    if (this.activeSize >= SEGMENT_BYTES) this.rotate();
  }

  private rotate(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.activeSeq++;
    this.openActive();
    this.applyRetention();
  }

  /** Oldest sealed segments go while the total is over the size limit or their records are too old. */
  private applyRetention(): void {
    const segs = this.segments();
    let total = segs.reduce((n, s) => n + statSync(this.segmentPath(s)).size, 0);
    for (const seq of segs) {
      if (seq === this.activeSeq && this.fd !== undefined) break;
      const path = this.segmentPath(seq);
      const st = statSync(path);
      const tooOld = this.now() - st.mtimeMs > this.maxAgeMs;
      if (total <= this.maxBytes && !tooOld) break;
      unlinkSync(path);
      total -= st.size;
    }
  }

  /** Delete everything on disk (Clear Local Traces), and start a new segment. */
  clear(): void {
    if (!this.writer) return;
    if (this.fd !== undefined) closeSync(this.fd);
    for (const seq of this.segments()) unlinkSync(this.segmentPath(seq));
    this.activeSeq = 1;
    this.openActive();
  }

  /** Make what was written durable across a power loss too (a kill of the process never loses it). */
  flush(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  stats(): LogStats {
    const segs = existsSync(this.dir) ? this.segments() : [];
    return { bytes: segs.reduce((n, s) => n + statSync(this.segmentPath(s)).size, 0), segments: segs.length, writer: this.writer };
  }

  close(): void {
    if (this.fd !== undefined) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.writer) {
      try {
        if (readFileSync(this.lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(this.lockPath);
      } catch {
        // already gone
      }
      this.writer = false;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process its parent has not reaped yet still answers signal 0: on Linux, a zombie is dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function truncate(path: string, size: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, size);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
