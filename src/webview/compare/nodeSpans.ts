/**
 * The selected node's spans in A and in B: name, duration, self time, failure and source, each with a
 * button that opens the span in the waterfall and a link to its source. Asked of the host per node.
 */
import type { CompareSpanRef } from '../../shared/compareProtocol';
import { el, formatDuration } from '../format';
import { rpc } from './api';
import { changeText } from './diffTree';
import type { Store } from './store';

/** Spans listed per side; a node with more says how many are left out. */
const MAX_LISTED = 200;

export class NodeSpans {
  readonly element: HTMLElement;
  private token = 0;

  constructor(private readonly store: Store, private readonly status: (text: string) => void) {
    this.element = el('aside', { id: 'spans', 'aria-label': 'Spans of the selected operation' }, el('p', { class: 'hint' }, 'Select an operation to list its spans in A and B.'));
    store.subscribe((s, changed) => {
      if (changed.has('selected') || changed.has('data')) void this.show(s.selected);
    });
  }

  private async show(node: number): Promise<void> {
    const token = ++this.token;
    const d = this.store.get().data;
    if (!d || node < 0 || !d.nodes[node]) {
      this.element.replaceChildren(el('p', { class: 'hint' }, 'Select an operation to list its spans in A and B.'));
      return;
    }
    const n = d.nodes[node];
    try {
      const spans = await rpc.request({ action: 'spans', node });
      if (token !== this.token) return;
      this.element.replaceChildren(
        el('h2', {}, n.label),
        el('p', { class: 'summary' }, `${changeText(n)} · duration ${formatDuration(n.durationA)} → ${formatDuration(n.durationB)} · self ${formatDuration(n.selfA)} → ${formatDuration(n.selfB)}`),
        this.list('A', 'a', spans.a),
        this.list('B', 'b', spans.b),
      );
    } catch (e) {
      if (token === this.token) this.status((e as Error).message);
    }
  }

  private list(title: string, side: 'a' | 'b', spans: CompareSpanRef[]): HTMLElement {
    const items = spans.slice(0, MAX_LISTED).map((s) => {
      const open = el('button', { class: 'open', title: 'Open this span in the waterfall' }, 'Open');
      open.addEventListener('click', () => void rpc.request({ action: 'open', side, row: s.row }).catch((e: Error) => this.status(e.message)));
      const parts: Array<Node | string> = [open, ' ', el('span', { class: 'sname' }, `${s.service}: ${s.name}`), ' ', el('span', { class: 'num' }, `${formatDuration(s.durationUs)} (self ${formatDuration(s.selfUs)})`)];
      if (s.error) parts.push(' ', el('span', { class: 'err' }, 'error'));
      if (s.source) {
        const link = el('a', { href: '#', class: 'source', title: 'Open the source this span names' }, s.source);
        link.addEventListener('click', (e) => {
          e.preventDefault();
          void rpc.request({ action: 'openSource', side, row: s.row }).catch((err: Error) => this.status(err.message));
        });
        parts.push(' ', link);
      }
      return el('li', {}, ...parts);
    });
    const more = spans.length > MAX_LISTED ? [el('p', { class: 'hint' }, `${spans.length - MAX_LISTED} more not listed`)] : [];
    return el('section', { class: `side-${side}` }, el('h3', {}, `In ${title}: ${spans.length || 'none'}`), el('ul', {}, ...items), ...more);
  }
}
