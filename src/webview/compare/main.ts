/**
 * The comparison of two traces: a toolbar, the merged tree (diffTree), the selected operation's spans
 * (nodeSpans) and the two traces side by side (sideBySide), all drawn from one store.
 */
import type { ToCompareWebview } from '../../shared/compareProtocol';
import { el, formatDuration } from '../format';
import { rpc, vscode } from './api';
import { DiffTree } from './diffTree';
import { NodeSpans } from './nodeSpans';
import { SideBySide } from './sideBySide';
import { Store, withTree } from './store';

const saved = vscode.getState() ?? {};
const store = new Store({ hideUnchanged: saved.hideUnchanged ?? true, minChangePercent: saved.minChangePercent ?? 10 });
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function status(text: string): void {
  $('status').textContent = text;
}

const hide = el('input', { id: 'hide', type: 'checkbox' });
const minChange = el('input', { id: 'minchange', type: 'number', min: '0', max: '1000', step: '5', 'aria-label': 'Smallest change shown, percent' });
const swap = el('button', { id: 'swap', title: 'Swap A and B' }, 'Swap A ↔ B');
const tree = new DiffTree(store, (node) => openNode(node));
const spans = new NodeSpans(store, status);
const sides = new SideBySide(store);

document.body.append(
  el('header', {},
    el('div', { id: 'titlebar' }, el('span', { id: 'title' }, 'Comparing traces…'), el('span', { id: 'meta' })),
    el('div', { id: 'toolbar', role: 'toolbar', 'aria-label': 'Comparison tools' },
      el('label', {}, hide, ' Hide unchanged'),
      el('label', {}, ' changed by ≥ ', minChange, ' %'),
      swap,
      el('span', { class: 'legend' }, el('span', { class: 'key slower' }, 'slower'), el('span', { class: 'key faster' }, 'faster'), el('span', { class: 'key added' }, 'added in B'), el('span', { class: 'key removed' }, 'only in A')),
    ),
  ),
  el('main', { id: 'main' },
    el('section', { id: 'treepane', 'aria-label': 'Operations of both traces' },
      el('div', { id: 'columns', 'aria-hidden': 'true' }, el('span', {}, 'Service: operation'), el('span', { class: 'center' }, 'change'), el('span', { class: 'num' }, 'Δ duration'), el('span', { class: 'num' }, 'count'), el('span', { class: 'num' }, 'self A → B'), el('span', { class: 'num' }, 'errors'), el('span', { title: 'On the critical path of A, B' }, 'crit.')),
      tree.element,
    ),
    spans.element,
  ),
  sides.element,
  el('div', { id: 'status', role: 'status' }),
);

hide.checked = store.get().hideUnchanged;
minChange.value = String(store.get().minChangePercent);
const persist = (): void => vscode.setState({ hideUnchanged: store.get().hideUnchanged, minChangePercent: store.get().minChangePercent });
hide.addEventListener('change', () => {
  store.set({ hideUnchanged: hide.checked });
  persist();
});
minChange.addEventListener('input', () => {
  const v = Number(minChange.value);
  if (Number.isFinite(v) && v >= 0) {
    store.set({ minChangePercent: v });
    persist();
  }
});
swap.addEventListener('click', () => void rpc.request({ action: 'swap' }).catch((e: Error) => status(e.message)));

/** Enter or double-click on an operation: open its first span in B (or in A, when B has none). */
function openNode(node: number): void {
  void rpc.request({ action: 'spans', node }).then((s) => {
    const [side, list] = s.b.length ? (['b', s.b] as const) : (['a', s.a] as const);
    if (list.length) return rpc.request({ action: 'open', side, row: list[0].row });
    return undefined;
  }).catch((e: Error) => status(e.message));
}

store.subscribe((s, changed) => {
  if (!changed.has('data') && !changed.has('hideUnchanged') && !changed.has('minChangePercent')) return;
  const d = s.data;
  if (!d) return;
  const delta = d.b.durationUs - d.a.durationUs;
  $('title').textContent = `A: ${d.a.traceId.slice(0, 16)}  ↔  B: ${d.b.traceId.slice(0, 16)}`;
  $('meta').textContent = `  ${formatDuration(d.a.durationUs)} → ${formatDuration(d.b.durationUs)} (${delta >= 0 ? '+' : '−'}${formatDuration(Math.abs(delta))}), ${d.a.spanCount} → ${d.b.spanCount} spans`;
  const shown = tree.rows.length;
  status(s.hideUnchanged ? `${shown} of ${d.nodes.length} operations shown: those changed by ${s.minChangePercent}% or more, and the path to them` : `${d.nodes.length} operations`);
});

window.addEventListener('message', (event: MessageEvent<ToCompareWebview>) => {
  const msg = event.data;
  if (rpc.handleReply(msg)) return;
  if (msg.type === 'compare') {
    const data = withTree(msg.a, msg.b, msg.nodes);
    // The biggest change is selected, so its spans are listed without a click.
    const first = data.nodes.findIndex((n) => n.onlyIn || n.durationA !== n.durationB || n.countA !== n.countB);
    store.set({ data, collapsed: new Set(), selected: first });
    document.body.dataset.ready = 'true';
    tree.element.focus();
  } else if (msg.type === 'failed') {
    $('title').textContent = 'Could not compare these traces';
    status(msg.message);
  }
});

vscode.postMessage({ type: 'ready' });
