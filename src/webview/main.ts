/**
 * The waterfall: a virtualized list of span rows on a shared time axis. Only the rows in view exist
 * in the DOM (a fixed pool, repositioned on scroll), so 100,000 spans scroll like 100. Collapse and
 * "matches only" are linear scans over the pre-order rows (subtree = rows up to `subtreeEnd`).
 * Everything from span data is written with textContent.
 */
import type { ReplyMap, Request, SpanDetails, ToWebview, WaterfallHeader } from '../shared/protocol';
import { TraceRows } from '../shared/trace/traceRows';
import { el, formatDuration, niceStep } from './format';
import { createRpc } from './rpc';
import { NAME_DEFAULT, nameColumnSplitter } from './splitter';
import { detailsOf } from './details';
import { FlameGraph } from './flameGraph';
import { Minimap } from './minimap';
import { StatsPane } from './statsPane';
import { saveState, vscode } from './vscodeApi';

const { request, handleReply } = createRpc<Request, ReplyMap>((m) => vscode.postMessage(m));

const ROW_H = 22;
const OVERSCAN = 8;
const PALETTE = 10;

interface View {
  data: TraceRows;
  collapsed: Uint8Array;
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
  /** Each row's 1-based place among its siblings and their number, for screen readers (set once per trace). */
  posInSet: Int32Array;
  setSize: Int32Array;
}

/** Sibling positions in one pass over the pre-order rows: siblings come in order under their parent. */
function siblingPositions(d: TraceRows): { posInSet: Int32Array; setSize: Int32Array } {
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

let view: View | null = null;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

// ------------------------------------------------------------------------------------------ layout

document.body.append(
  el('header', { id: 'header' },
    el('div', { id: 'titlebar' }, el('span', { id: 'title' }, 'Loading trace…'), el('span', { id: 'meta' })),
    el('div', { id: 'incomplete', role: 'alert', hidden: '' }),
    el('div', { id: 'toolbar', role: 'toolbar', 'aria-label': 'Waterfall tools' },
      el('input', { id: 'search', type: 'search', placeholder: 'Search spans: words, "a phrase", key=value', 'aria-label': 'Search spans', spellcheck: 'false' }),
      el('button', { id: 'prev', title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match' }, '↑'),
      el('button', { id: 'next', title: 'Next match (Enter)', 'aria-label': 'Next match' }, '↓'),
      el('span', { id: 'count', 'aria-live': 'polite' }),
      el('label', {}, el('input', { id: 'only', type: 'checkbox' }), ' Matches only'),
      el('label', {}, el('input', { id: 'critical', type: 'checkbox' }), ' Critical path'),
      el('label', { title: 'Zipkin-style clock-skew correction; moved spans are marked ⇄' }, el('input', { id: 'skew', type: 'checkbox' }), ' Adjust clock skew'),
      el('span', { class: 'group' },
        el('button', { id: 'reload', title: 'Fetch this trace again from its endpoint, for spans still arriving (R)', hidden: '' }, '↻ Reload'),
        el('button', { id: 'compare', title: 'Compare this trace with another: open, recent, by id or from a file' }, 'Compare with…'),
        el('button', { id: 'flamebutton', title: 'Show the trace as a flame graph: width is time, depth goes down (F)', 'aria-pressed': 'false' }, 'Flame graph'),
        el('button', { id: 'statsbutton', title: 'Statistics: spans grouped by service, operation or attribute (S)', 'aria-pressed': 'false' }, 'Statistics'),
        el('button', { id: 'expand', title: 'Expand all' }, 'Expand all'),
        el('button', { id: 'collapse', title: 'Collapse all' }, 'Collapse all'),
      ),
    ),
  ),
  el('main', { id: 'main' },
    el('section', { id: 'left', 'aria-label': 'Waterfall' },
      el('div', { id: 'minimap', title: 'Drag to zoom, double-click to reset' }, el('canvas', { id: 'minicanvas' }), el('div', { id: 'miniwindow' }), el('div', { id: 'minidrag' })),
      el('div', { id: 'ruler' }, el('div', { id: 'rulername' }, 'Service / span'), el('div', { id: 'ticks' })),
      el('div', { id: 'rows', tabindex: '0', role: 'tree', 'aria-label': 'Spans', 'aria-multiselectable': 'false' }, el('div', { id: 'spacer' })),
    ),
    el('aside', { id: 'details', 'aria-label': 'Span details' }, el('p', { class: 'hint' }, 'Select a span to see its details.')),
  ),
  el('div', { id: 'status', role: 'status' }),
);

// The minimap: the whole trace's shape, with the zoom window the rows, ruler and flame graph share.
const minimapView = new Minimap($('minimap'), {
  view: () => view,
  zoom: (v0, v1) => {
    if (!view) return;
    view.v0 = v0;
    view.v1 = v1;
    render();
    renderRuler();
    renderMinimap();
  },
});

// Statistics share the details pane's place; a group clicked there shows only its spans.
const statsPane = new StatsPane({
  load: (groupBy) => request({ action: 'stats', groupBy }),
  rowsOf: async (groupBy, key) => (await request({ action: 'groupRows', groupBy, key })).rows,
  filter: (rows, label) => showOnly(rows, label),
  status: (text) => status(text),
});
$('main').append(statsPane.element);

function toggleStats(show = !statsPane.visible): void {
  statsPane.toggle(show);
  $('details').hidden = show;
  $('statsbutton').setAttribute('aria-pressed', String(show));
  if (!show) showOnly(undefined, '');
}

/** Show only `rows` (a statistics group), or everything again: the search's "matches only", fed directly. */
function showOnly(rows: number[] | undefined, label: string): void {
  const v = view;
  if (!v) return;
  if (!rows && !v.matchesOnly) return;
  searchInput.value = '';
  v.matches = rows ?? [];
  v.matchSet = new Set(v.matches);
  v.matchIndex = -1;
  v.matchesOnly = !!rows;
  $<HTMLInputElement>('only').checked = !!rows;
  $('count').textContent = label;
  recomputeVisible(v);
  render();
  renderMinimap();
}

// The flame graph takes the rows' place in the left pane; zoom, selection and matches are shared.
const flame = new FlameGraph({
  view: () => view,
  select: (r) => select(r),
  zoom: (v0, v1) => {
    if (!view) return;
    view.v0 = v0;
    view.v1 = v1;
    // Once per frame at most, however fast the wheel turns; the rows catch up when shown again.
    flame.render();
    positionMiniWindow();
  },
});
$('left').append(flame.element);
// From the flame graph, the same keys switch back, open statistics and search.
flame.element.addEventListener('keydown', (e) => {
  if (e.key === 'f' || e.key === 'F' || e.key === 'Escape') {
    toggleFlame(false);
    rowsEl.focus();
  } else if (e.key === 's' || e.key === 'S') toggleStats();
  else if (e.key === '/') $('search').focus();
  else return;
  e.preventDefault();
});

function toggleFlame(show = !flame.visible): void {
  flame.show(show);
  $('rows').hidden = show;
  $('ruler').hidden = show;
  $('flamebutton').setAttribute('aria-pressed', String(show));
  if (!show) {
    render();
    renderRuler();
  }
}

const rowsEl = $<HTMLDivElement>('rows');
let minimapFrame = 0;
nameColumnSplitter($('left'), vscode.getState()?.nameWidth ?? NAME_DEFAULT, (percent, done) => {
  // The canvas has a pixel size of its own: redraw it, once per frame while dragging.
  if (!minimapFrame) minimapFrame = requestAnimationFrame(() => ((minimapFrame = 0), renderMinimap()));
  if (done) saveState({ nameWidth: percent });
});
const spacer = $<HTMLDivElement>('spacer');
const pool: HTMLDivElement[] = [];

function makeRow(): HTMLDivElement {
  const row = el('div', { class: 'row', role: 'treeitem' },
    el('div', { class: 'label' }, el('span', { class: 'twisty' }), el('span', { class: 'chip' }), el('span', { class: 'svc' }), el('span', { class: 'name' }), el('span', { class: 'flags' })),
    el('div', { class: 'lane' }, el('div', { class: 'bar' }), el('span', { class: 'dur' })),
  );
  row.addEventListener('mousedown', (e) => {
    const r = Number(row.dataset.row);
    if (!view || Number.isNaN(r)) return;
    if ((e.target as HTMLElement).classList.contains('twisty')) toggle(r);
    select(r, false);
    e.preventDefault();
    rowsEl.focus();
  });
  row.addEventListener('dblclick', () => {
    const r = Number(row.dataset.row);
    if (!Number.isNaN(r)) toggle(r);
  });
  spacer.append(row);
  return row;
}

// ------------------------------------------------------------------------------------------ model

function recomputeVisible(v: View): void {
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
  spacer.style.height = `${count * ROW_H}px`;
  // When the list shrinks under a deep scroll position (collapse all, matches only), the browser
  // clamps scrollTop only at its next layout and redraws on the scroll event after that; until then
  // render() would draw the rows of a position that no longer exists, an empty pane.
  const maxTop = Math.max(0, count * ROW_H - rowsEl.clientHeight);
  if (rowsEl.scrollTop > maxTop) rowsEl.scrollTop = maxTop;
}

function visiblePos(r: number): number {
  if (!view) return -1;
  // Binary search: visible rows are in increasing row order.
  let lo = 0;
  let hi = view.visibleCount - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = view.visible[mid];
    if (x === r) return mid;
    if (x < r) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

// ------------------------------------------------------------------------------------------ render

/**
 * What each pool slot shows, so a frame rewrites only the slots whose row or look changed. Slots are
 * assigned by position modulo the pool size: while scrolling, a row keeps its slot, and only the few
 * rows entering the view are written (rewriting every visible row each frame made long tasks at 100k).
 */
const slotSignature: string[] = [];
let renderedView: View | null = null;

function render(): void {
  const v = view;
  if (!v) return;
  flame.render(); // drawn on the next frame, and only while shown
  const d = v.data;
  if (renderedView !== v) {
    slotSignature.length = 0; // another trace: every slot is stale
    renderedView = v;
  }
  const top = rowsEl.scrollTop;
  const height = rowsEl.clientHeight || 600;
  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(v.visibleCount, Math.ceil((top + height) / ROW_H) + OVERSCAN);
  while (pool.length < last - first) pool.push(makeRow());
  const span = Math.max(1e-9, v.v1 - v.v0);
  const n = pool.length;
  const used = new Uint8Array(n);
  const look = `${v.v0}|${v.v1}|${v.showCritical ? 1 : 0}|${v.selected}`;
  for (let pos = first; pos < last; pos++) {
    const k = pos % n;
    used[k] = 1;
    const row = pool[k];
    const r = v.visible[pos];
    const sig = `${pos}|${r}|${d.has(r) ? 1 : 0}|${v.matchSet.has(r) ? 1 : 0}|${v.collapsed[r]}|${look}`;
    if (slotSignature[k] === sig) continue;
    slotSignature[k] = sig;
    row.style.display = '';
    row.style.transform = `translateY(${pos * ROW_H}px)`;
    row.dataset.row = String(r);
    const hasKids = d.subtreeEnd[r] > r + 1;
    row.setAttribute('aria-level', String(d.depth[r] + 1));
    // Rows are recycled out of DOM order while scrolling: the tree's structure is told explicitly.
    // (Sibling counts are known once every row has arrived.)
    if (v.setSize[r]) {
      row.setAttribute('aria-posinset', String(v.posInSet[r]));
      row.setAttribute('aria-setsize', String(v.setSize[r]));
    } else {
      row.removeAttribute('aria-posinset');
      row.removeAttribute('aria-setsize');
    }
    row.setAttribute('aria-selected', String(r === v.selected));
    if (hasKids) row.setAttribute('aria-expanded', String(!v.collapsed[r]));
    else row.removeAttribute('aria-expanded');
    const arrived = d.has(r);
    row.setAttribute('aria-label', arrived ? `${d.services[d.service[r]] || 'unknown service'} ${d.name[r]}, ${formatDuration(d.duration[r])}${d.error(r) ? ', error' : ''}` : 'span still loading');
    row.id = `row-${r}`;
    row.className = `row${r === v.selected ? ' selected' : ''}${v.matchSet.has(r) ? ' match' : ''}${d.error(r) ? ' error' : ''}${v.showCritical && d.critical(r) ? ' critical' : ''}${v.showCritical && !d.critical(r) ? ' dim' : ''}${d.has(r) ? '' : ' pending'}`;
    const [label, lane] = row.children as unknown as [HTMLDivElement, HTMLDivElement];
    // Indent up to 24 levels; deeper rows say their level instead of running out of the column.
    label.style.paddingLeft = `${4 + Math.min(d.depth[r], 24) * 12}px`;
    const [twisty, chip, svc, name, flags] = label.children as unknown as HTMLSpanElement[];
    twisty.textContent = hasKids ? (v.collapsed[r] ? '▸' : '▾') : '';
    // A row still on its way has no service, bar or duration yet: nothing to draw but its placeholder name.
    const color = arrived ? `svc-${d.service[r] % PALETTE}` : 'none';
    chip.className = `chip ${color}`;
    svc.textContent = arrived ? d.services[d.service[r]] || '?' : '';
    name.textContent = arrived ? (d.depth[r] > 24 ? `[${d.depth[r]}] ` : '') + (d.name[r] || '(unnamed)') : 'loading…';
    const f: string[] = [];
    if (d.error(r)) f.push('!');
    if (d.adjust[r]) f.push('⇄');
    if (d.warned(r)) f.push('⚠');
    if (hasKids && v.collapsed[r]) f.push(`+${d.subtreeEnd[r] - r - 1}`);
    flags.textContent = f.join(' ');
    const [bar, dur] = lane.children as unknown as [HTMLDivElement, HTMLSpanElement];
    const left = ((d.start[r] - v.v0) / span) * 100;
    const width = Math.max((d.duration[r] / span) * 100, 0.05);
    bar.className = `bar ${color}`;
    bar.hidden = !arrived;
    bar.style.left = `${left}%`;
    bar.style.width = `${width}%`;
    bar.replaceChildren();
    const marks = d.marks.get(r);
    if (marks && d.duration[r] > 0) {
      for (const m of marks.slice(0, 20)) {
        const mark = el('i', { class: 'mark' });
        mark.style.left = `${((m - d.start[r]) / d.duration[r]) * 100}%`;
        bar.append(mark);
      }
    }
    dur.textContent = arrived ? formatDuration(d.duration[r]) : '';
    // After the bar when there is room, else before it, else inside its end.
    const end = left + width;
    dur.classList.toggle('inside', false);
    if (end < 88) {
      dur.style.left = `${Math.max(end, 0)}%`;
      dur.style.right = '';
    } else if (left > 12) {
      dur.style.left = '';
      dur.style.right = `${100 - left}%`;
    } else {
      dur.style.left = '';
      dur.style.right = `${Math.max(0, 100 - end)}%`;
      dur.classList.toggle('inside', true);
    }
  }
  for (let k = 0; k < n; k++) {
    if (used[k] || pool[k].style.display === 'none') continue;
    pool[k].style.display = 'none';
    delete pool[k].dataset.row;
    slotSignature[k] = '';
  }
  rowsEl.setAttribute('aria-activedescendant', v.selected >= 0 ? `row-${v.selected}` : '');
}

function renderRuler(): void {
  const v = view;
  if (!v) return;
  const ticks = $<HTMLDivElement>('ticks');
  ticks.replaceChildren();
  const span = v.v1 - v.v0;
  const step = niceStep(span, 6);
  for (let t = Math.ceil(v.v0 / step) * step; t <= v.v1; t += step) {
    const at = ((t - v.v0) / span) * 100;
    // Near the right edge the label goes left of its line, so it is not cut off by the details pane.
    const tick = el('span', { class: at > 88 ? 'tick end' : 'tick' }, formatDuration(t));
    tick.style.left = `${at}%`;
    ticks.append(tick);
  }
  // A label drawn left of its line may run into the one before it (250 ms right after 200 ms): then
  // the regular tick stays and the end one goes.
  const last = ticks.lastElementChild;
  const before = last?.previousElementSibling;
  if (last?.classList.contains('end') && before && before.getBoundingClientRect().right > last.getBoundingClientRect().left) last.remove();
}

function renderMinimap(): void {
  minimapView.render();
}

function positionMiniWindow(): void {
  minimapView.positionWindow();
}

function renderAll(): void {
  recomputeVisible(view!);
  render();
  renderRuler();
  renderMinimap();
}

// ------------------------------------------------------------------------------------------ actions

function toggle(r: number, expand?: boolean): void {
  const v = view;
  if (!v || v.data.subtreeEnd[r] <= r + 1) return;
  v.collapsed[r] = expand === undefined ? (v.collapsed[r] ? 0 : 1) : expand ? 0 : 1;
  recomputeVisible(v);
  render();
}

function setAllCollapsed(collapsed: boolean): void {
  const v = view;
  if (!v?.data.complete) return; // the tree's shape is known once every row has arrived
  const d = v.data;
  for (let r = 0; r < d.rowCount; r++) v.collapsed[r] = collapsed && d.subtreeEnd[r] > r + 1 ? 1 : 0;
  recomputeVisible(v);
  render();
}

/** Make a row visible by expanding its ancestors. */
function reveal(r: number): void {
  const v = view!;
  let changed = false;
  for (let p = v.data.parent[r]; p >= 0; p = v.data.parent[p]) {
    if (v.collapsed[p]) {
      v.collapsed[p] = 0;
      changed = true;
    }
  }
  if (changed) recomputeVisible(v);
}

function scrollToRow(r: number): void {
  const pos = visiblePos(r);
  if (pos < 0) return;
  const top = pos * ROW_H;
  if (top < rowsEl.scrollTop) rowsEl.scrollTop = top;
  else if (top + ROW_H > rowsEl.scrollTop + rowsEl.clientHeight) rowsEl.scrollTop = top + ROW_H - rowsEl.clientHeight;
}

let detailsToken = 0;
function select(r: number, scroll = true): void {
  const v = view;
  if (!v || r < 0 || r >= v.data.rowCount) return;
  v.selected = r;
  reveal(r);
  if (scroll) scrollToRow(r);
  render();
  const spanId = v.data.spanId(r);
  if (spanId) {
    saveState({ traceId: v.data.traceId, selectedSpanId: spanId });
    vscode.postMessage({ type: 'state', selectedSpanId: spanId });
  }
  const token = ++detailsToken;
  // A slow answer (a big trace, a busy host) must not leave the previous span's details on show as if
  // they were this one's; a quick one should not flash a placeholder, hence the short delay.
  const pane = $('details');
  const placeholder = setTimeout(() => {
    if (token !== detailsToken) return;
    pane.setAttribute('aria-busy', 'true');
    pane.replaceChildren(el('h2', {}, v.data.name[r]), el('p', { class: 'hint' }, 'Loading details…'));
  }, 120);
  const settle = (): boolean => {
    clearTimeout(placeholder);
    if (token !== detailsToken) return false;
    pane.removeAttribute('aria-busy');
    return true;
  };
  request({ action: 'details', row: r })
    .then((details) => settle() && showDetails(details))
    .catch((e: Error) => settle() && pane.replaceChildren(el('p', { class: 'error' }, `Could not load details: ${e.message}`)));
}

function moveSelection(delta: number): void {
  const v = view;
  if (!v || v.visibleCount === 0) return;
  const pos = v.selected >= 0 ? visiblePos(v.selected) : -1;
  const next = Math.min(v.visibleCount - 1, Math.max(0, pos < 0 ? 0 : pos + delta));
  select(v.visible[next]);
}

// ------------------------------------------------------------------------------------------ details

function showDetails(s: SpanDetails): void {
  const v = view!;
  $('details').replaceChildren(...detailsOf(s, { traceStartUs: v.data.startUs, hasSubtree: v.data.subtreeEnd[s.row] > s.row + 1, request, select, status }));
}

function status(text: string): void {
  $('status').textContent = text;
  loadStatusShown = false;
}

/**
 * The load's own line (progress, then the trace's repairs): it never overwrites a message said since
 * the load began, such as Reload's "1 new span", whose answer arrives while the rows still do.
 */
let loadStatusShown = false;
function loadStatus(text: string): void {
  if ($('status').textContent && !loadStatusShown) return;
  $('status').textContent = text;
  loadStatusShown = true;
}

// ------------------------------------------------------------------------------------------ search

let searchToken = 0;
let searchErrorShown = false;
async function runSearch(query: string): Promise<void> {
  const v = view;
  if (!v) return;
  const token = ++searchToken;
  if (!query.trim()) {
    v.matches = [];
    v.matchSet = new Set();
    $('count').textContent = '';
    recomputeVisible(v);
    render();
    return;
  }
  try {
    const { rows, error } = await request({ action: 'search', query });
    if (token !== searchToken) return;
    v.matches = rows;
    v.matchSet = new Set(rows);
    v.matchIndex = -1;
    $('count').textContent = rows.length ? `${rows.length} match${rows.length === 1 ? '' : 'es'}` : 'no matches';
    // A term the search did not understand is said where it stays visible (stepping through matches
    // rewrites the count), and cleared once the query is fixed.
    if (error) status(error);
    else if (searchErrorShown) status('');
    searchErrorShown = !!error;
    recomputeVisible(v);
    if (rows.length) gotoMatch(1);
    else render();
  } catch (e) {
    $('count').textContent = (e as Error).message;
  }
}

function gotoMatch(delta: number): void {
  const v = view;
  if (!v || !v.matches.length) return;
  v.matchIndex = (v.matchIndex + delta + v.matches.length) % v.matches.length;
  $('count').textContent = `${v.matchIndex + 1} of ${v.matches.length}`;
  select(v.matches[v.matchIndex]);
}

// ------------------------------------------------------------------------------------------ events

rowsEl.addEventListener('scroll', () => requestAnimationFrame(render), { passive: true });
window.addEventListener('resize', () => {
  render();
  renderRuler(); // its labels may collide at the new width
  renderMinimap();
});

rowsEl.addEventListener('keydown', (e) => {
  const v = view;
  if (!v) return;
  const page = Math.max(1, Math.floor(rowsEl.clientHeight / ROW_H) - 1);
  const r = v.selected;
  switch (e.key) {
    case 'ArrowDown': case 'j': moveSelection(1); break;
    case 'ArrowUp': case 'k': moveSelection(-1); break;
    case 'PageDown': moveSelection(page); break;
    case 'PageUp': moveSelection(-page); break;
    case 'Home': moveSelection(-Infinity); break;
    case 'End': moveSelection(Infinity); break;
    case 'ArrowRight':
      if (r >= 0 && v.data.subtreeEnd[r] > r + 1) {
        if (v.collapsed[r]) toggle(r, true);
        else select(r + 1);
      }
      break;
    case 'ArrowLeft':
      if (r >= 0) {
        if (v.data.subtreeEnd[r] > r + 1 && !v.collapsed[r]) toggle(r, false);
        else if (v.data.parent[r] >= 0) select(v.data.parent[r]);
      }
      break;
    case 'Enter': case ' ': if (r >= 0) toggle(r); break;
    case '/': $('search').focus(); break;
    case 'n': gotoMatch(1); break;
    case 'r': case 'R': reload(); break;
    case 's': case 'S': if (!($('statsbutton') as HTMLButtonElement).disabled) toggleStats(); break;
    case 'f': case 'F': if (!($('flamebutton') as HTMLButtonElement).disabled) toggleFlame(); break;
    case 'N': gotoMatch(-1); break;
    case 'Escape':
      ($('search') as HTMLInputElement).value = '';
      void runSearch('');
      break;
    default: return;
  }
  e.preventDefault();
});

const searchInput = $<HTMLInputElement>('search');
let searchTimer = 0;
searchInput.addEventListener('input', () => {
  statsPane.clearActive(); // the search decides what is shown now
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => void runSearch(searchInput.value), 150);
});
searchInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    window.clearTimeout(searchTimer);
    if (view?.matches.length && searchInput.value.trim()) gotoMatch(e.shiftKey ? -1 : 1);
    else void runSearch(searchInput.value);
    e.preventDefault();
  } else if (e.key === 'Escape') {
    searchInput.value = '';
    void runSearch('');
    rowsEl.focus();
    e.preventDefault();
  } else if (e.key === 'ArrowDown') {
    rowsEl.focus();
    e.preventDefault();
  }
});
$('next').addEventListener('click', () => gotoMatch(1));
$('prev').addEventListener('click', () => gotoMatch(-1));
$<HTMLInputElement>('only').addEventListener('change', (e) => {
  if (!view) return;
  view.matchesOnly = (e.target as HTMLInputElement).checked;
  if (!view.matchesOnly) statsPane.clearActive();
  recomputeVisible(view);
  render();
});
$<HTMLInputElement>('critical').addEventListener('change', (e) => {
  if (!view) return;
  view.showCritical = (e.target as HTMLInputElement).checked;
  render();
});
$<HTMLInputElement>('skew').addEventListener('change', (e) => {
  const on = (e.target as HTMLInputElement).checked;
  status(on ? 'Adjusting clock skew…' : 'Showing times as reported…');
  request({ action: 'setSkew', on }).catch((err: Error) => status(err.message));
});
function reload(): void {
  const button = $<HTMLButtonElement>('reload');
  if (!view?.data.reloadable || button.disabled) return; // disabled while one is under way
  button.disabled = true;
  status('Reloading…');
  request({ action: 'reload' })
    .then(({ spanCount, added }) => status(added > 0 ? `Reloaded: ${added} new span${added === 1 ? '' : 's'}, ${spanCount} in all.` : `Reloaded: no new spans (${spanCount}).`))
    .catch((e: Error) => status(e.message))
    .finally(() => (button.disabled = false));
}
$('reload').addEventListener('click', reload);
$('statsbutton').addEventListener('click', () => toggleStats());
$('flamebutton').addEventListener('click', () => toggleFlame());
// The user picks the other trace in VS Code's quick pick, which may take a while: a long timeout.
$('compare').addEventListener('click', () => void request({ action: 'compareWith' }, 30 * 60_000).catch((err: Error) => status(err.message)));
$('expand').addEventListener('click', () => setAllCollapsed(false));
$('collapse').addEventListener('click', () => setAllCollapsed(true));

// Minimap: drag to choose a time window, double-click to see everything again.
// ------------------------------------------------------------------------------------------ host

/**
 * A new load: the header sets up an empty view of the whole trace (every row a placeholder) and the
 * rows fill in as their chunks arrive. The first chunk is the first screen, drawn on arrival; search,
 * minimap, collapse-all and sibling counts wait for the last.
 */
function startTrace(header: WaterfallHeader): void {
  const data = new TraceRows(header);
  const keepScroll = view?.data.traceId === data.traceId ? rowsEl.scrollTop : 0;
  const previous = view;
  delete document.body.dataset.ready;
  delete document.body.dataset.firstRowsAt;
  delete document.body.dataset.completeAt;
  view = {
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
  pendingScroll = keepScroll;
  interacted = false;
  status('');
  $('count').textContent = ''; // the previous trace's matches (the query stays, and runs again once this one is whole)
  $('title').textContent = data.title;
  $('meta').textContent = ` ${data.traceId} · ${data.rowCount} span${data.rowCount === 1 ? '' : 's'} · ${formatDuration(data.durationUs)} · ${data.services.length} service${data.services.length === 1 ? '' : 's'} · ${data.source}`;
  $<HTMLInputElement>('skew').checked = data.skewAdjusted;
  $('reload').hidden = !data.reloadable;
  for (const id of ['expand', 'collapse', 'only', 'statsbutton', 'flamebutton']) ($(id) as HTMLButtonElement | HTMLInputElement).disabled = true;
  // A backend that returned part of the trace said so: never present it as complete.
  const incomplete = $('incomplete');
  incomplete.hidden = !data.incomplete;
  incomplete.textContent = data.incomplete ? `⚠ Incomplete trace: ${data.source} returned only part of it: ${data.incomplete}` : '';
  // What the host's serializer needs to show this trace again after VS Code restarts.
  const state = vscode.getState();
  if (state?.traceId !== data.traceId || state.sourceId !== data.sourceId) {
    const { selectedSpanId: _otherTrace, ...keep } = state ?? {}; // a selection in another trace means nothing here
    vscode.setState({ ...keep, traceId: data.traceId, sourceId: data.sourceId });
  }
  recomputeVisible(view);
  renderRuler();
  if (!data.rowCount) finishTrace(view);
}

let pendingScroll = 0;

/** Said once per trace shown, on the first click or key press in it: the host keeps a preview panel open then. */
let interacted = false;
function noteInteraction(): void {
  if (interacted) return;
  interacted = true;
  vscode.postMessage({ type: 'interacted' });
}
document.addEventListener('mousedown', noteInteraction, true);
document.addEventListener('keydown', noteInteraction, true);

function applyRows(msg: Extract<ToWebview, { type: 'rows' }>): void {
  const v = view;
  if (!v || v.data.apply(msg.chunk) !== 'applied') return;
  const d = v.data;
  if (d.arrivedChunks === 1) {
    // The first screen: draw it now, at the scroll position the trace had if it was shown before.
    rowsEl.scrollTop = pendingScroll;
    const want = d.header.selectRow;
    if (want !== undefined && d.has(want)) select(want);
    else render();
    document.body.dataset.firstRowsAt = String(Date.now());
  } else render();
  if (d.complete) finishTrace(v);
  else loadStatus(`Loading spans… ${d.arrivedRows.toLocaleString('en')} of ${d.rowCount.toLocaleString('en')}`);
}

function finishTrace(v: View): void {
  const d = v.data;
  Object.assign(v, siblingPositions(d));
  for (const id of ['expand', 'collapse', 'only', 'statsbutton', 'flamebutton']) ($(id) as HTMLButtonElement | HTMLInputElement).disabled = false;
  if (statsPane.visible) void statsPane.refresh();
  loadStatus(d.warningCount ? `${d.warningCount} repair${d.warningCount === 1 ? '' : 's'} in this trace (rows marked ⚠ or ⇄); select a row to see them.` : '');
  slotSignature.length = 0; // sibling counts changed every row's accessible description
  renderAll();
  const state = vscode.getState();
  if (v.selected < 0 && state?.traceId === d.traceId && state.selectedSpanId) {
    const r = d.rowOfSpanId(state.selectedSpanId);
    if (r >= 0) select(r);
  }
  if (searchInput.value.trim()) void runSearch(searchInput.value);
  document.body.dataset.firstRowsAt ??= String(Date.now());
  // When the rows were first drawn and when all of the trace was there (ms since epoch), for the
  // real-editor benchmark, which clicks in the workbench and reads these from the webview.
  document.body.dataset.completeAt = String(Date.now());
  document.body.dataset.ready = 'true';
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  if (handleReply(msg)) return;
  switch (msg.type) {
    case 'traceStart':
      startTrace(msg.header);
      break;
    case 'rows':
      applyRows(msg);
      break;
    case 'loading':
      $('title').textContent = msg.message;
      break;
    case 'failed':
      $('title').textContent = 'Could not show this trace';
      status(msg.message);
      break;
  }
});

performance.mark('trace-explorer:ready');
vscode.postMessage({ type: 'ready' });
