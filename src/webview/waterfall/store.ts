/**
 * The waterfall's state in one place: the trace's rows, what is collapsed and shown, the selection,
 * the search matches and the zoom window. The rows, ruler, minimap, flame graph, details and search
 * components read it and redraw when told what changed; none of them keeps trace state of its own,
 * so they always agree. Collapse and "matches only" are linear scans over the pre-order rows
 * (a row's subtree is the rows up to `subtreeEnd`), fast enough at 100,000 rows.
 */
import type { TraceRows } from '../../shared/trace/traceRows';

export interface View {
  data: TraceRows;
  collapsed: Uint8Array;
  /** The rows on show, in pre-order, and how many of `visible` are in use. */
  visible: Int32Array;
  visibleCount: number;
  selected: number;
  matches: number[];
  matchSet: Set<number>;
  matchIndex: number;
  matchesOnly: boolean;
  showCritical: boolean;
  /** Zoom window, µs relative to the trace start. */
  v0: number;
  v1: number;
  /** Each row's 1-based place among its siblings and their number, for screen readers (set once the trace is whole). */
  posInSet: Int32Array;
  setSize: Int32Array;
}

/**
 * What a change touched, so each component redraws only for what it shows: `trace` a new trace,
 * `rows` more of its rows arrived, `visible` the set of rows on show, `selection`, `matches`, `zoom`,
 * `look` (critical path on or off), `complete` every row arrived.
 */
export type Change = 'trace' | 'rows' | 'visible' | 'selection' | 'matches' | 'zoom' | 'look' | 'complete';
export type Listener = (view: View, changed: ReadonlySet<Change>) => void;

export class WaterfallStore {
  private current: View | null = null;
  private readonly listeners: Listener[] = [];

  get view(): View | null {
    return this.current;
  }

  /** Listeners run in the order they subscribed: the rows before the panes that scroll to them. */
  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  private notify(...changes: Change[]): void {
    const v = this.current;
    if (!v) return;
    const set = new Set(changes);
    for (const l of this.listeners) l(v, set);
  }

  /** A new trace (every row a placeholder until its chunk arrives); "matches only" and the critical path carry over. */
  load(data: TraceRows): View {
    const previous = this.current;
    this.current = {
      data,
      collapsed: new Uint8Array(data.rowCount),
      visible: new Int32Array(data.rowCount),
      visibleCount: 0,
      selected: -1,
      matches: [],
      matchSet: new Set(),
      matchIndex: -1,
      matchesOnly: previous?.matchesOnly ?? false,
      showCritical: previous?.showCritical ?? false,
      v0: 0,
      v1: Math.max(data.durationUs, 1e-3),
      posInSet: new Int32Array(data.rowCount),
      setSize: new Int32Array(data.rowCount),
    };
    recomputeVisible(this.current);
    this.notify('trace', 'visible', 'zoom');
    return this.current;
  }

  rowsArrived(): void {
    this.notify('rows');
  }

  complete(): void {
    const v = this.current;
    if (!v) return;
    Object.assign(v, siblingPositions(v.data));
    recomputeVisible(v);
    this.notify('complete', 'visible', 'zoom');
  }

  /** Expand or collapse one row (toggle when `expand` is not given). */
  toggle(r: number, expand?: boolean): void {
    const v = this.current;
    if (!v || v.data.subtreeEnd[r] <= r + 1) return;
    v.collapsed[r] = expand === undefined ? (v.collapsed[r] ? 0 : 1) : expand ? 0 : 1;
    recomputeVisible(v);
    this.notify('visible');
  }

  setAllCollapsed(collapsed: boolean): void {
    const v = this.current;
    if (!v?.data.complete) return; // the tree's shape is known once every row has arrived
    const d = v.data;
    for (let r = 0; r < d.rowCount; r++) v.collapsed[r] = collapsed && d.subtreeEnd[r] > r + 1 ? 1 : 0;
    recomputeVisible(v);
    this.notify('visible');
  }

  /** Select a row, expanding its ancestors so it is on show. */
  select(r: number): boolean {
    const v = this.current;
    if (!v || r < 0 || r >= v.data.rowCount) return false;
    v.selected = r;
    let revealed = false;
    for (let p = v.data.parent[r]; p >= 0; p = v.data.parent[p]) {
      if (v.collapsed[p]) {
        v.collapsed[p] = 0;
        revealed = true;
      }
    }
    if (revealed) recomputeVisible(v);
    this.notify(...(revealed ? (['visible', 'selection'] as const) : (['selection'] as const)));
    return true;
  }

  /** New matches (a search, or a statistics group); `only` also switches "matches only" on or off. */
  setMatches(rows: number[], only?: boolean): void {
    const v = this.current;
    if (!v) return;
    v.matches = rows;
    v.matchSet = new Set(rows);
    v.matchIndex = -1;
    if (only !== undefined) v.matchesOnly = only;
    recomputeVisible(v);
    this.notify('matches', 'visible');
  }

  /** Step through the matches; returns the row now current, or -1. */
  stepMatch(delta: number): number {
    const v = this.current;
    if (!v || !v.matches.length) return -1;
    v.matchIndex = (v.matchIndex + delta + v.matches.length) % v.matches.length;
    return v.matches[v.matchIndex];
  }

  setMatchesOnly(on: boolean): void {
    const v = this.current;
    if (!v) return;
    v.matchesOnly = on;
    recomputeVisible(v);
    this.notify('visible');
  }

  setCritical(on: boolean): void {
    const v = this.current;
    if (!v) return;
    v.showCritical = on;
    this.notify('look');
  }

  zoom(v0: number, v1: number): void {
    const v = this.current;
    if (!v) return;
    v.v0 = v0;
    v.v1 = v1;
    this.notify('zoom');
  }
}

/** Which rows are on show: collapsed subtrees skipped and, with "matches only", only matches and their ancestors. */
export function recomputeVisible(v: View): void {
  const d = v.data;
  const n = d.rowCount;
  let keep: Uint8Array | null = null;
  if (v.matchesOnly && v.matches.length) {
    // A match and its ancestors stay, so every match keeps its place in the tree.
    keep = new Uint8Array(n);
    for (const m of v.matches) for (let r = m; r >= 0 && !keep[r]; r = d.parent[r]) keep[r] = 1;
  }
  let count = 0;
  for (let r = 0; r < n; ) {
    if (keep && !keep[r]) {
      r++;
      continue;
    }
    v.visible[count++] = r;
    r = v.collapsed[r] ? d.subtreeEnd[r] : r + 1;
  }
  v.visibleCount = count;
}

/** A row's place among the visible rows, or -1: a binary search, as visible rows are in increasing row order. */
export function visiblePos(v: View, r: number): number {
  let lo = 0;
  let hi = v.visibleCount - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = v.visible[mid];
    if (x === r) return mid;
    if (x < r) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Sibling positions in one pass over the pre-order rows: siblings come in order under their parent. */
export function siblingPositions(d: TraceRows): { posInSet: Int32Array; setSize: Int32Array } {
  const n = d.rowCount;
  const seen = new Int32Array(n + 1); // index n counts the roots
  const posInSet = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const p = d.parent[r] >= 0 ? d.parent[r] : n;
    posInSet[r] = ++seen[p];
  }
  const setSize = new Int32Array(n);
  for (let r = 0; r < n; r++) setSize[r] = seen[d.parent[r] >= 0 ? d.parent[r] : n];
  return { posInSet, setSize };
}
