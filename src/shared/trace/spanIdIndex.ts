/**
 * Span id → position, for the common case where every id is 16 lowercase hex digits (what every
 * decoder produces). The ids are read as two 32-bit halves into an open-addressing table of typed
 * arrays: no string hashing and no Map, which on a 100,000-span trace was most of the linker's time.
 */
export class SpanIdIndex {
  /** Per slot: high word, low word, position + 1 (0 = empty), side by side so a probe touches one cache line. */
  private constructor(
    private readonly slots: Int32Array,
    private readonly mask: number,
  ) {}

  /** The index of the spans' ids, or null when one is not 16 lowercase hex digits or one repeats (the caller then merges and renames). */
  static of(spans: ReadonlyArray<{ readonly spanId: string }>): SpanIdIndex | null {
    let size = 16;
    while (size < spans.length * 2) size *= 2; // load ≤ 1/2: short probe runs
    const slots = new Int32Array(size * 3);
    const mask = size - 1;
    for (let i = 0; i < spans.length; i++) {
      const id = spans[i].spanId;
      if (id.length !== 16) return null;
      const hi = hexWord(id, 0);
      const lo = hexWord(id, 8);
      if (hi === BAD || lo === BAD) return null;
      let slot = hash(hi, lo) & mask;
      while (slots[slot * 3 + 2] !== 0) {
        if (slots[slot * 3] === hi && slots[slot * 3 + 1] === lo) return null; // a repeated id
        slot = (slot + 1) & mask;
      }
      slots[slot * 3] = hi;
      slots[slot * 3 + 1] = lo;
      slots[slot * 3 + 2] = i + 1;
    }
    return new SpanIdIndex(slots, mask);
  }

  /** Position of the span with this id, or -1. */
  get(id: string): number {
    if (id.length !== 16) return -1;
    const hi = hexWord(id, 0);
    const lo = hexWord(id, 8);
    if (hi === BAD || lo === BAD) return -1;
    const slots = this.slots;
    let slot = hash(hi, lo) & this.mask;
    while (slots[slot * 3 + 2] !== 0) {
      if (slots[slot * 3] === hi && slots[slot * 3 + 1] === lo) return slots[slot * 3 + 2] - 1;
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
