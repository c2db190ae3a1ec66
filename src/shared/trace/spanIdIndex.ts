/**
 * Span id → position, for the common case where every id is 16 lowercase hex digits (what every
 * decoder produces). The ids are read as two 32-bit halves into an open-addressing table of typed
 * arrays: no string hashing and no Map, which on a 100,000-span trace was most of the linker's time.
 */
export class SpanIdIndex {
  private constructor(
    private readonly hi: Int32Array,
    private readonly lo: Int32Array,
    /** Position + 1 per slot; 0 = empty. */
    private readonly at: Int32Array,
    private readonly mask: number,
  ) {}

  /** The index of the spans' ids, or null when one is not 16 lowercase hex digits or one repeats (the caller then merges and renames). */
  static of(spans: ReadonlyArray<{ readonly spanId: string }>): SpanIdIndex | null {
    let size = 16;
    while (size < spans.length * 2) size *= 2; // load ≤ 1/2: short probe runs
    const index = new SpanIdIndex(new Int32Array(size), new Int32Array(size), new Int32Array(size), size - 1);
    for (let i = 0; i < spans.length; i++) {
      const id = spans[i].spanId;
      if (id.length !== 16) return null;
      const hi = hexWord(id, 0);
      const lo = hexWord(id, 8);
      if (hi === BAD || lo === BAD) return null;
      let slot = hash(hi, lo) & index.mask;
      while (index.at[slot] !== 0) {
        if (index.hi[slot] === hi && index.lo[slot] === lo) return null; // a repeated id
        slot = (slot + 1) & index.mask;
      }
      index.hi[slot] = hi;
      index.lo[slot] = lo;
      index.at[slot] = i + 1;
    }
    return index;
  }

  /** Position of the span with this id, or -1. */
  get(id: string): number {
    if (id.length !== 16) return -1;
    const hi = hexWord(id, 0);
    const lo = hexWord(id, 8);
    if (hi === BAD || lo === BAD) return -1;
    let slot = hash(hi, lo) & this.mask;
    while (this.at[slot] !== 0) {
      if (this.hi[slot] === hi && this.lo[slot] === lo) return this.at[slot] - 1;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }
}

/** Not a 32-bit value `hexWord` can return (it returns int32s), so it marks a non-hex character. */
const BAD = 2 ** 32;

/** Eight lowercase hex digits from `start` as an int32, or BAD. */
function hexWord(s: string, start: number): number {
  let x = 0;
  for (let i = start; i < start + 8; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return BAD;
    x = (x << 4) | d;
  }
  return x;
}

function hash(hi: number, lo: number): number {
  return Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15);
}
