/**
 * The waterfall webview: the layout, the keyboard, and the messages from the host. The state lives in
 * one store (waterfall/store); each part of the view is a component of its own that redraws from it:
 * the rows, the ruler, the minimap, the flame graph, the details pane, the search and the statistics.
 */
import type { ReplyMap, Request, ToWebview, WaterfallHeader } from '../shared/protocol';
import { SAVED_LOAD_ID, saveScreen, savedChunk } from '../shared/trace/savedScreen';
import { TraceRows } from '../shared/trace/traceRows';
import { el, formatDuration } from './format';
import { createRpc } from './rpc';
import { NAME_DEFAULT, nameColumnSplitter } from './splitter';
import { saveState, vscode } from './vscodeApi';
import { DetailsPane } from './waterfall/details';
import { FlameGraph } from './waterfall/flameGraph';
import { Minimap } from './waterfall/minimap';
import { RowList } from './waterfall/rows';
import { Ruler } from './waterfall/ruler';
import { SearchBar } from './waterfall/search';
import { StatsPane } from './waterfall/statsPane';
import { visiblePos, WaterfallStore } from './waterfall/store';

const { request, handleReply } = createRpc<Request, ReplyMap>((m) => vscode.postMessage(m));
const store = new WaterfallStore();
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

// ------------------------------------------------------------------------------------------ status

/**
 * The load's own line (progress, then the trace's repairs) never overwrites a message said since the
 * load began, such as Reload's "1 new span", whose answer arrives while the rows still do.
 */
const statusLine = el('div', { id: 'status', role: 'status' });
let loadStatusShown = false;
function status(text: string): void {
  statusLine.textContent = text;
  loadStatusShown = false;
}
function loadStatus(text: string): void {
  if (statusLine.textContent && !loadStatusShown) return;
  statusLine.textContent = text;
  loadStatusShown = true;
}

// ------------------------------------------------------------------------------------------ components

// Subscribed in this order: the rows scroll to a selection before anything reads the layout.
const rows = new RowList(store);
const ruler = new Ruler(store);
const details = new DetailsPane(store, { request, status });
const search = new SearchBar(store, {
  search: (query) => request({ action: 'search', query }),
  status,
  typed: () => statsPane.clearActive(),
});
// Statistics share the details pane's place; a group clicked there shows only its spans.
const statsPane = new StatsPane({
  load: (groupBy) => request({ action: 'stats', groupBy }),
  rowsOf: async (groupBy, key) => (await request({ action: 'groupRows', groupBy, key })).rows,
  filter: (r, label) => search.showOnly(r, label),
  status,
});
// The flame graph takes the rows' place in the left pane; zoom, selection and matches are shared.
const flame = new FlameGraph({ view: () => store.view, select: (r) => store.select(r), zoom: (v0, v1) => store.zoom(v0, v1) });

const button = (id: string, title: string, label: string, attrs: Record<string, string> = {}): HTMLButtonElement => el('button', { id, title, ...attrs }, label);
const checkbox = (id: string, label: string, title?: string): HTMLLabelElement => el('label', title ? { title } : {}, el('input', { id, type: 'checkbox' }), ` ${label}`);

document.body.append(
  el('header', { id: 'header' },
    el('div', { id: 'titlebar' }, el('span', { id: 'title' }, 'Loading trace…'), el('span', { id: 'meta' })),
    el('div', { id: 'incomplete', role: 'alert', hidden: '' }),
    el('div', { id: 'toolbar', role: 'toolbar', 'aria-label': 'Waterfall tools' },
      ...search.elements,
      checkbox('critical', 'Critical path'),
      checkbox('skew', 'Adjust clock skew', 'Zipkin-style clock-skew correction; moved spans are marked ⇄'),
      el('span', { class: 'group' },
        button('reload', 'Fetch this trace again from its endpoint, for spans still arriving (R)', '↻ Reload', { hidden: '' }),
        button('compare', 'Compare this trace with another: open, recent, by id or from a file', 'Compare with…'),
        button('flamebutton', 'Show the trace as a flame graph: width is time, depth goes down (F)', 'Flame graph', { 'aria-pressed': 'false' }),
        button('statsbutton', 'Statistics: spans grouped by service, operation or attribute (S)', 'Statistics', { 'aria-pressed': 'false' }),
        button('expand', 'Expand all', 'Expand all'),
        button('collapse', 'Collapse all', 'Collapse all'),
      ),
    ),
  ),
  el('main', { id: 'main' },
    el('section', { id: 'left', 'aria-label': 'Waterfall' },
      el('div', { id: 'minimap', title: 'Drag to zoom, double-click to reset' }, el('canvas', { id: 'minicanvas' }), el('div', { id: 'miniwindow' }), el('div', { id: 'minidrag' })),
      ruler.element,
      rows.element,
      flame.element,
    ),
    details.element,
    statsPane.element,
  ),
  statusLine,
);

// The minimap: the whole trace's shape, with the zoom window the rows, ruler and flame graph share.
const minimap = new Minimap($('minimap'), { view: () => store.view, zoom: (v0, v1) => store.zoom(v0, v1) });

store.subscribe((v, changed) => {
  flame.render(); // drawn on the next frame, and only while shown
  if (changed.has('complete')) minimap.render();
  else if (changed.has('zoom')) minimap.positionWindow();
  if (changed.has('selection')) {
    // The selection survives a hidden panel and a restart; the host keeps it for "Reveal in waterfall".
    const spanId = v.data.spanId(v.selected);
    if (spanId) {
      saveState({ traceId: v.data.traceId, selectedSpanId: spanId });
      vscode.postMessage({ type: 'state', selectedSpanId: spanId });
    }
  }
});

/**
 * The screen a window reload will show first, kept in the webview's state: saved once the trace is
 * whole and after each selection (at most every 300 ms), never from a screen that is itself restored.
 */
let screenTimer = 0;
store.subscribe((v, changed) => {
  if (!changed.has('complete') && !changed.has('selection')) return;
  window.clearTimeout(screenTimer);
  screenTimer = window.setTimeout(() => {
    if (store.view !== v || !v.data.complete || v.data.loadId === SAVED_LOAD_ID) return;
    const screen = saveScreen(v.data, v.selected);
    if (screen) saveState({ screen });
  }, 300);
});

let minimapFrame = 0;
nameColumnSplitter($('left'), vscode.getState()?.nameWidth ?? NAME_DEFAULT, (percent, done) => {
  // The canvas has a pixel size of its own: redraw it, once per frame while dragging.
  if (!minimapFrame) minimapFrame = requestAnimationFrame(() => ((minimapFrame = 0), minimap.render()));
  if (done) saveState({ nameWidth: percent });
});

function toggleStats(show = !statsPane.visible): void {
  statsPane.toggle(show);
  details.element.hidden = show;
  $('statsbutton').setAttribute('aria-pressed', String(show));
  if (!show) search.showOnly(undefined, '');
}

function toggleFlame(show = !flame.visible): void {
  flame.show(show);
  rows.element.hidden = show;
  ruler.element.hidden = show;
  $('flamebutton').setAttribute('aria-pressed', String(show));
  if (!show) {
    rows.render();
    ruler.render();
  }
}

// ------------------------------------------------------------------------------------------ keys

function moveSelection(delta: number): void {
  const v = store.view;
  if (!v || v.visibleCount === 0) return;
  const pos = v.selected >= 0 ? visiblePos(v, v.selected) : -1;
  const next = Math.min(v.visibleCount - 1, Math.max(0, pos < 0 ? 0 : pos + delta));
  store.select(v.visible[next]);
}

const enabled = (id: string): boolean => !$<HTMLButtonElement>(id).disabled;

rows.element.addEventListener('keydown', (e) => {
  const v = store.view;
  if (!v) return;
  const r = v.selected;
  const hasKids = r >= 0 && v.data.subtreeEnd[r] > r + 1;
  switch (e.key) {
    case 'ArrowDown': case 'j': moveSelection(1); break;
    case 'ArrowUp': case 'k': moveSelection(-1); break;
    case 'PageDown': moveSelection(rows.pageRows); break;
    case 'PageUp': moveSelection(-rows.pageRows); break;
    case 'Home': moveSelection(-Infinity); break;
    case 'End': moveSelection(Infinity); break;
    case 'ArrowRight':
      if (hasKids) {
        if (v.collapsed[r]) store.toggle(r, true);
        else store.select(r + 1);
      }
      break;
    case 'ArrowLeft':
      if (hasKids && !v.collapsed[r]) store.toggle(r, false);
      else if (r >= 0 && v.data.parent[r] >= 0) store.select(v.data.parent[r]);
      break;
    case 'Enter': case ' ': if (r >= 0) store.toggle(r); break;
    case '/': search.input.focus(); break;
    case 'n': search.step(1); break;
    case 'N': search.step(-1); break;
    case 'r': case 'R': reload(); break;
    case 's': case 'S': if (enabled('statsbutton')) toggleStats(); break;
    case 'f': case 'F': if (enabled('flamebutton')) toggleFlame(); break;
    case 'Escape': search.clear(); break;
    default: return;
  }
  e.preventDefault();
});

// From the flame graph, the same keys switch back, open statistics and search.
flame.element.addEventListener('keydown', (e) => {
  if (e.key === 'f' || e.key === 'F' || e.key === 'Escape') {
    toggleFlame(false);
    rows.element.focus();
  } else if (e.key === 's' || e.key === 'S') toggleStats();
  else if (e.key === '/') search.input.focus();
  else return;
  e.preventDefault();
});

search.input.addEventListener('keydown', (e) => search.handleKey(e, () => rows.element.focus()));

window.addEventListener('resize', () => {
  rows.render();
  ruler.render(); // its labels may collide at the new width
  minimap.render();
});

// ------------------------------------------------------------------------------------------ toolbar

$<HTMLInputElement>('critical').addEventListener('change', (e) => store.setCritical((e.target as HTMLInputElement).checked));
$<HTMLInputElement>('skew').addEventListener('change', (e) => {
  const on = (e.target as HTMLInputElement).checked;
  status(on ? 'Adjusting clock skew…' : 'Showing times as reported…');
  request({ action: 'setSkew', on }).catch((err: Error) => status(err.message));
});
function reload(): void {
  const b = $<HTMLButtonElement>('reload');
  if (!store.view?.data.reloadable || b.disabled) return; // disabled while one is under way
  b.disabled = true;
  status('Reloading…');
  request({ action: 'reload' })
    .then(({ spanCount, added }) => status(added > 0 ? `Reloaded: ${added} new span${added === 1 ? '' : 's'}, ${spanCount} in all.` : `Reloaded: no new spans (${spanCount}).`))
    .catch((e: Error) => status(e.message))
    .finally(() => (b.disabled = false));
}
$('reload').addEventListener('click', reload);
$('statsbutton').addEventListener('click', () => toggleStats());
$('flamebutton').addEventListener('click', () => toggleFlame());
// The user picks the other trace in VS Code's quick pick, which may take a while: a long timeout.
$('compare').addEventListener('click', () => void request({ action: 'compareWith' }, 30 * 60_000).catch((err: Error) => status(err.message)));
$('expand').addEventListener('click', () => store.setAllCollapsed(false));
$('collapse').addEventListener('click', () => store.setAllCollapsed(true));

/** Controls that need the whole trace (its shape, every row's text) wait for the last chunk. */
const NEED_WHOLE_TRACE = ['expand', 'collapse', 'only', 'statsbutton', 'flamebutton'];
function enableWholeTraceControls(on: boolean): void {
  for (const id of NEED_WHOLE_TRACE) $<HTMLButtonElement | HTMLInputElement>(id).disabled = !on;
}

// ------------------------------------------------------------------------------------------ host

/** Said once per trace shown, on the first click or key press in it: the host keeps a preview panel open then. */
let interacted = false;
function noteInteraction(): void {
  if (interacted) return;
  interacted = true;
  vscode.postMessage({ type: 'interacted' });
}
document.addEventListener('mousedown', noteInteraction, true);
document.addEventListener('keydown', noteInteraction, true);

/** The scroll position to draw the first screen at: the trace's own, when it is the one shown before. */
let pendingScroll = 0;

/**
 * A new load: the header sets up an empty view of the whole trace (every row a placeholder) and the
 * rows fill in as their chunks arrive. The first chunk is the first screen, drawn on arrival; search,
 * minimap, collapse-all and sibling counts wait for the last.
 */
function startTrace(header: WaterfallHeader): void {
  const data = new TraceRows(header);
  const previous = store.view?.data;
  pendingScroll = previous?.traceId === data.traceId ? rows.element.scrollTop : 0;
  delete document.body.dataset.ready;
  // The restored screen of this trace stays drawn until the live rows replace it: its rows were on screen all along.
  if (!(previous?.loadId === SAVED_LOAD_ID && previous.traceId === data.traceId)) delete document.body.dataset.firstRowsAt;
  delete document.body.dataset.completeAt;
  store.load(data);
  interacted = false;
  status('');
  search.reset();
  $('title').textContent = data.title;
  $('meta').textContent = ` ${data.traceId} · ${data.rowCount} span${data.rowCount === 1 ? '' : 's'} · ${formatDuration(data.durationUs)} · ${data.services.length} service${data.services.length === 1 ? '' : 's'} · ${data.source}`;
  $<HTMLInputElement>('skew').checked = data.skewAdjusted;
  $('reload').hidden = !data.reloadable;
  enableWholeTraceControls(false);
  // A backend that returned part of the trace said so: never present it as complete.
  const incomplete = $('incomplete');
  incomplete.hidden = !data.incomplete;
  incomplete.textContent = data.incomplete ? `⚠ Incomplete trace: ${data.source} returned only part of it: ${data.incomplete}` : '';
  // What the host's serializer needs to show this trace again after VS Code restarts.
  const state = vscode.getState();
  if (state?.traceId !== data.traceId || state.sourceId !== data.sourceId) {
    const { selectedSpanId: _otherTrace, screen: _otherScreen, ...keep } = state ?? {}; // another trace's selection and screen mean nothing here
    vscode.setState({ ...keep, traceId: data.traceId, sourceId: data.sourceId });
  }
  if (!data.rowCount) finishTrace();
}

function applyRows(msg: Extract<ToWebview, { type: 'rows' }>): void {
  const d = store.view?.data;
  if (!d || d.apply(msg.chunk) !== 'applied') return;
  if (d.arrivedChunks === 1) {
    // The first screen: drawn now, at the scroll position the trace had if it was shown before.
    rows.element.scrollTop = pendingScroll;
    const want = d.header.selectRow;
    if (want === undefined || !d.has(want) || !store.select(want)) store.rowsArrived();
    document.body.dataset.firstRowsAt ??= String(Date.now());
  } else store.rowsArrived();
  // A restored screen is never the whole trace, even when it holds every row: the host is not ready for questions.
  if (d.loadId === SAVED_LOAD_ID) return;
  if (d.complete) finishTrace();
  else loadStatus(`Loading spans… ${d.arrivedRows.toLocaleString('en')} of ${d.rowCount.toLocaleString('en')}`);
}

function finishTrace(): void {
  const v = store.view;
  if (!v) return;
  const d = v.data;
  enableWholeTraceControls(true);
  if (statsPane.visible) void statsPane.refresh();
  loadStatus(d.warningCount ? `${d.warningCount} repair${d.warningCount === 1 ? '' : 's'} in this trace (rows marked ⚠ or ⇄); select a row to see them.` : '');
  store.complete();
  const state = vscode.getState();
  if (v.selected < 0 && state?.traceId === d.traceId && state.selectedSpanId) {
    const r = d.rowOfSpanId(state.selectedSpanId);
    if (r >= 0) store.select(r);
  }
  if (search.query.trim()) void search.run(search.query);
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
      // A restored screen must not stay on show as if it were the trace.
      if (store.view?.data.loadId === SAVED_LOAD_ID) startTrace({ ...store.view.data.header, loadId: SAVED_LOAD_ID - 1, rowCount: 0, selectRow: undefined });
      saveState({ screen: undefined });
      $('title').textContent = 'Could not show this trace';
      status(msg.message);
      break;
  }
});

/**
 * After a window reload: draw the screen saved in the state at once, while the host reads and links
 * the trace; the live rows replace it when they come. Controls that need the host wait for them.
 */
function restoreScreen(): void {
  const state = vscode.getState();
  const chunk = savedChunk(state?.screen);
  if (!state?.screen || !chunk || state.screen.header.traceId !== state.traceId) return;
  startTrace(state.screen.header);
  applyRows({ type: 'rows', chunk });
  document.body.dataset.restoredAt = String(Date.now());
  loadStatus('Restoring the trace…');
}

restoreScreen();
performance.mark('trace-explorer:ready');
vscode.postMessage({ type: 'ready' });
