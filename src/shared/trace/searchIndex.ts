/**
 * A prefilter for in-trace search over big traces. Scanning a million spans with a matcher per field
 * takes over a second; one `indexOf` over the spans' text laid end to end takes tens of milliseconds.
 * The index finds *candidate* rows for one term and the ordinary matcher checks each candidate, so the
 * answer is exactly the scan's: the index may only ever add candidates, never lose one.
 *
 * Why that holds: the text is lower-cased, and the search's terms are lower-cased literals matched
 * case-insensitively. For ASCII text the two agree. Text with any non-ASCII character can lower-case
 * differently from how a case-insensitive match folds it (and can change length), so such rows are
 * always candidates. Matches that run across two fields, or two rows, only add candidates.
 */
import { attrText, type Attribute, type Span } from '../model';
import type { Trace } from './trace';

/** Rows per block: one block's text is built per turn when the index is built in steps. */
const BLOCK_ROWS = 8_192;
/** Rows read between turns while a block is built. */
const STEP_ROWS = 2_048;
const SEP = '\u0000';
// Any character outside ASCII (code points 0–127).
const NON_ASCII = /[^\p{ASCII}]/u;

interface Block {
  /** The lower-cased text of the block's rows' own strings (see `ownText`). */
  text: string;
  /** Offset in `text` where each of the block's rows begins, plus one past the end. */
  offsets: Uint32Array;
  firstRow: number;
}

/**
 * A span's strings that rows seldom share, each followed by the separator: its name, id, attribute
 * values and event names. These are laid end to end per block.
 */
function ownText(s: Span): string {
  let t = s.name + SEP + s.spanId + SEP;
  for (const a of s.attributes) t += (typeof a.value === 'string' ? a.value : attrText(a.value)) + SEP;
  for (const e of s.events) t += e.name + SEP;
  return t;
}

/**
 * The strings many rows share (service, kind, status, attribute keys, the resource): kept once per
 * distinct combination, which at a million spans is a few hundred or thousand strings instead of
 * 150 MB of repeated text. Kind and status are here for `kind=` and `status=` terms. The resource is
 * usually one array shared by all the spans of a process, so its text is made once per array.
 */
class SharedTexts {
  readonly texts: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly resources = new Map<readonly Attribute[], string>();

  idOf(s: Span): number {
    let resource = this.resources.get(s.resource);
    if (resource === undefined) {
      resource = '';
      for (const a of s.resource) resource += a.key + SEP + attrText(a.value) + SEP;
      this.resources.set(s.resource, resource);
    }
    let key = s.service + SEP + s.kind + SEP + s.status.code + SEP + resource;
    for (const a of s.attributes) key += a.key + SEP;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(key, id);
      this.texts.push(key.toLowerCase());
    }
    return id;
  }
}

export class SearchIndex {
  private constructor(
    private readonly blocks: readonly Block[],
    /** Each row's entry in `shared`. */
    private readonly sharedOf: Uint32Array,
    /** Distinct shared texts, lower-cased (a text that is not ASCII always counts as a hit). */
    private readonly shared: readonly string[],
    /** Rows whose own text is not all ASCII, in row order: always candidates. */
    private readonly alwaysRows: readonly number[],
    /** The trace this index was built for; it answers for no other. */
    readonly trace: Trace,
  ) {}

  private get rowCount(): number {
    return this.trace.spans.length;
  }

  /** Build the index a block at a time; the caller may take a turn (or give up) between blocks. */
  static *build(trace: Trace, blockRows = BLOCK_ROWS): Generator<void, SearchIndex> {
    const blocks: Block[] = [];
    const always: number[] = [];
    const n = trace.spans.length;
    const sharedOf = new Uint32Array(n);
    const shared = new SharedTexts();
    for (let first = 0; first < n; first += blockRows) {
      const end = Math.min(n, first + blockRows);
      const offsets = new Uint32Array(end - first + 1);
      let raw = '';
      for (let r = first; r < end; r++) {
        const span = trace.spans[r];
        sharedOf[r] = shared.idOf(span);
        offsets[r - first] = raw.length;
        raw += ownText(span);
        // A turn within the block too: a whole block took 57–130 ms in the extension host, over the
        // 100 ms it may hold the thread while a big trace loads. The block comes out the same.
        if ((r - first) % STEP_ROWS === STEP_ROWS - 1) yield;
      }
      offsets[end - first] = raw.length;
      const ascii = !NON_ASCII.test(raw);
      if (!ascii) for (let r = first; r < end; r++) if (NON_ASCII.test(raw.slice(offsets[r - first], offsets[r - first + 1]))) always.push(r);
      // Lower-casing only ASCII letters keeps every offset valid; rows that are not ASCII are candidates anyway.
      blocks.push({ text: ascii ? raw.toLowerCase() : lowerAscii(raw), offsets, firstRow: first });
      yield;
    }
    return new SearchIndex(blocks, sharedOf, shared.texts, always, trace);
  }

  static buildNow(trace: Trace, blockRows = BLOCK_ROWS): SearchIndex {
    const steps = SearchIndex.build(trace, blockRows);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * Rows that may contain `needle` (lower-case) in one of their fields, as a flag per row. A needle
   * containing the separator cannot be looked up this way: undefined, scan every row.
   */
  candidates(needle: string): Uint8Array | undefined {
    if (!needle || needle.includes(SEP)) return undefined;
    const flags = new Uint8Array(this.rowCount);
    // A shared text that is not ASCII is a candidate whatever it lower-cases to (see the module comment).
    const sharedHit = Uint8Array.from(this.shared, (t) => (NON_ASCII.test(t) || t.includes(needle) ? 1 : 0));
    if (sharedHit.includes(1)) for (let r = 0; r < this.rowCount; r++) flags[r] = sharedHit[this.sharedOf[r]];
    for (const r of this.alwaysRows) flags[r] = 1;
    for (const b of this.blocks) {
      const { text, offsets } = b;
      let row = 0;
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, offsets[row])) {
        row = rowAt(offsets, at, row);
        flags[b.firstRow + row] = 1;
        row++;
        if (row >= offsets.length - 1) break;
      }
    }
    return flags;
  }
}

/** The last row whose text begins at or before `at`, searching forward from `from`. */
function rowAt(offsets: Uint32Array, at: number, from: number): number {
  let lo = from;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
