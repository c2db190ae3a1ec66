/**
 * The merged tree of the two traces: one row per service/operation path, with its change as a bar
 * (slower to the right in red, faster to the left in green, added and removed in their own colours)
 * and the numbers of A → B. Virtualized like the waterfall: only rows in view are in the DOM.
 * Span names are written with textContent only.
 */
import type { CompareNodeView } from '../../shared/compareProtocol';
import { isChanged } from '../../shared/trace/compare';
import { el, formatDuration } from '../format';
import type { CompareData, State, Store } from './store';

const ROW_H = 22;
const OVERSCAN = 6;

/** A duration to three significant digits: a column of changes reads at a glance (full value in the span list). */
export function compact(us: number): string {
  return formatDuration(us === 0 ? 0 : Number(us.toPrecision(3)));
}

/** Signed duration change, with the relative change when A had the node. */
export function changeText(n: CompareNodeView): string {
  if (n.onlyIn === 'a') return 'removed';
  if (n.onlyIn === 'b') return 'added';
  const d = n.durationB - n.durationA;
  if (d === 0) return '±0';
  const pct = n.durationA > 0 ? ` (${d > 0 ? '+' : '−'}${Math.abs((100 * d) / n.durationA).toFixed(Math.abs(d / n.durationA) < 0.1 ? 1 : 0)}%)` : '';
  return `${d > 0 ? '+' : '−'}${compact(Math.abs(d))}${pct}`;
}

export function changeKind(n: CompareNodeView): 'added' | 'removed' | 'slower' | 'faster' | 'same' {
  if (n.onlyIn === 'a') return 'removed';
  if (n.onlyIn === 'b') return 'added';
  return n.durationB > n.durationA ? 'slower' : n.durationB < n.durationA ? 'faster' : 'same';
}

/** Which nodes to show: those that changed past the threshold, and their ancestors (the path to them). */
function shownNodes(d: CompareData, s: State): Uint8Array {
  const shown = new Uint8Array(d.nodes.length);
  const minRelative = s.minChangePercent / 100;
  for (let i = 0; i < d.nodes.length; i++) {
    if (s.hideUnchanged && !isChanged(d.nodes[i], { minRelative, minUs: 1 })) continue;
    for (let k = i; k >= 0 && !shown[k]; k = d.nodes[k].parent) shown[k] = 1;
  }
  return shown;
}

export class DiffTree {
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  /** Visible nodes in display order, with their depth. */
  private visible: number[] = [];
  private depth: number[] = [];
  private scale = 1;

  constructor(private readonly store: Store, private readonly onOpen: (node: number) => void) {
    this.spacer = el('div', { class: 'spacer' });
    this.element = el('div', { id: 'tree', tabindex: '0', role: 'tree', 'aria-label': 'Compared operations' }, this.spacer);
    this.element.addEventListener('scroll', () => requestAnimationFrame(() => this.render()), { passive: true });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    store.subscribe((s, changed) => {
      if (changed.has('data') || changed.has('collapsed') || changed.has('hideUnchanged') || changed.has('minChangePercent')) this.layout(s);
      if (changed.has('selected')) this.reveal(s.selected);
      this.render();
    });
  }

  /** The rows shown, as node indices in display order (for tests and the keyboard). */
  get rows(): readonly number[] {
    return this.visible;
  }

  private layout(s: State): void {
    const d = s.data;
    this.visible = [];
    this.depth = [];
    if (!d) return;
    const shown = shownNodes(d, s);
    const stack: Array<[number, number]> = [];
    for (let i = d.roots.length - 1; i >= 0; i--) stack.push([d.roots[i], 0]);
    while (stack.length) {
      const [n, depth] = stack.pop()!;
      if (!shown[n]) continue;
      this.visible.push(n);
      this.depth.push(depth);
      if (s.collapsed.has(n)) continue;
      const kids = d.children[n];
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1]);
    }
    this.scale = 1;
    for (const n of d.nodes) this.scale = Math.max(this.scale, n.onlyIn === 'a' ? n.durationA : n.onlyIn === 'b' ? n.durationB : Math.abs(n.durationB - n.durationA));
    this.spacer.style.height = `${this.visible.length * ROW_H}px`;
  }

  private reveal(node: number): void {
    const pos = this.visible.indexOf(node);
    if (pos < 0) return;
    const top = pos * ROW_H;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + ROW_H > this.element.scrollTop + this.element.clientHeight) this.element.scrollTop = top + ROW_H - this.element.clientHeight;
  }

  render(): void {
    const s = this.store.get();
    const d = s.data;
    const first = Math.max(0, Math.floor(this.element.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(this.visible.length, Math.ceil((this.element.scrollTop + this.element.clientHeight) / ROW_H) + OVERSCAN);
    while (this.pool.length < last - first) this.pool.push(this.makeRow());
    this.pool.forEach((row, k) => {
      const pos = first + k;
      if (!d || pos >= last) {
        row.hidden = true;
        return;
      }
      row.hidden = false;
      this.fill(row, d, this.visible[pos], this.depth[pos], pos, s);
    });
  }

  private makeRow(): HTMLDivElement {
    const row = el('div', { class: 'node', role: 'treeitem' },
      el('span', { class: 'label' }, el('span', { class: 'twisty' }), el('span', { class: 'text' })),
      el('span', { class: 'bar' }, el('span', { class: 'fill' })),
      el('span', { class: 'delta num' }),
      el('span', { class: 'count num' }),
      el('span', { class: 'self num' }),
      el('span', { class: 'errors num' }),
      el('span', { class: 'critical' }),
    );
    row.addEventListener('mousedown', (e) => {
      const n = Number(row.dataset.node);
      if (Number.isNaN(n)) return;
      if ((e.target as HTMLElement).classList.contains('twisty')) this.toggle(n);
      this.store.set({ selected: n });
      e.preventDefault();
      this.element.focus();
    });
    row.addEventListener('dblclick', () => this.onOpen(Number(row.dataset.node)));
    this.spacer.append(row);
    return row;
  }

  private fill(row: HTMLDivElement, d: CompareData, n: number, depth: number, pos: number, s: State): void {
    const node = d.nodes[n];
    const kind = changeKind(node);
    row.dataset.node = String(n);
    row.style.transform = `translateY(${pos * ROW_H}px)`;
    row.className = `node ${kind}${s.selected === n ? ' selected' : ''}`;
    row.setAttribute('aria-level', String(depth + 1));
    row.setAttribute('aria-selected', String(s.selected === n));
    const hasKids = d.children[n].length > 0;
    if (hasKids) row.setAttribute('aria-expanded', String(!s.collapsed.has(n)));
    else row.removeAttribute('aria-expanded');
    const [label, bar, delta, count, self, errors, critical] = Array.from(row.children) as HTMLElement[];
    label.style.paddingLeft = `${4 + depth * 14}px`;
    label.children[0].textContent = hasKids ? (s.collapsed.has(n) ? '▸' : '▾') : '';
    label.children[1].textContent = node.label;
    label.title = node.label;
    const size = kind === 'removed' ? node.durationA : kind === 'added' ? node.durationB : Math.abs(node.durationB - node.durationA);
    const fill = bar.firstElementChild as HTMLElement;
    const width = Math.max(size > 0 ? 1 : 0, (50 * size) / this.scale);
    fill.style.width = `${width}%`;
    fill.style.left = kind === 'slower' || kind === 'added' ? '50%' : `${50 - width}%`;
    delta.textContent = changeText(node);
    count.textContent = node.countA === node.countB ? `×${node.countA}` : `${node.countA} → ${node.countB}`;
    count.title = `${node.countA} span${node.countA === 1 ? '' : 's'} in A, ${node.countB} in B`;
    delta.title = changeText(node);
    self.textContent = `${compact(node.selfA)} → ${compact(node.selfB)}`;
    self.title = `self time ${formatDuration(node.selfA)} in A, ${formatDuration(node.selfB)} in B`;
    errors.textContent = node.errorsA || node.errorsB ? `${node.errorsA} → ${node.errorsB}` : '';
    errors.classList.toggle('worse', node.errorsB > node.errorsA);
    critical.textContent = `${node.criticalA ? 'A' : ''}${node.criticalB ? 'B' : ''}`;
    critical.title = node.criticalA || node.criticalB ? `On the critical path of ${[node.criticalA && 'A', node.criticalB && 'B'].filter(Boolean).join(' and ')}` : '';
  }

  private toggle(n: number): void {
    const collapsed = new Set(this.store.get().collapsed);
    if (collapsed.has(n)) collapsed.delete(n);
    else collapsed.add(n);
    this.store.set({ collapsed });
  }

  private onKey(e: KeyboardEvent): void {
    const s = this.store.get();
    const d = s.data;
    if (!d || !this.visible.length) return;
    const pos = this.visible.indexOf(s.selected);
    const page = Math.max(1, Math.floor(this.element.clientHeight / ROW_H) - 1);
    const go = (p: number): void => this.store.set({ selected: this.visible[Math.max(0, Math.min(this.visible.length - 1, p))] });
    switch (e.key) {
      case 'ArrowDown': go(pos + 1); break;
      case 'ArrowUp': go(pos < 0 ? 0 : pos - 1); break;
      case 'PageDown': go(pos + page); break;
      case 'PageUp': go(pos - page); break;
      case 'Home': go(0); break;
      case 'End': go(this.visible.length - 1); break;
      case 'ArrowRight':
        if (pos >= 0 && s.collapsed.has(s.selected)) this.toggle(s.selected);
        else if (pos >= 0 && d.children[s.selected].length) go(pos + 1);
        break;
      case 'ArrowLeft':
        if (pos >= 0 && d.children[s.selected].length && !s.collapsed.has(s.selected)) this.toggle(s.selected);
        else if (pos >= 0 && d.nodes[s.selected].parent >= 0) this.store.set({ selected: d.nodes[s.selected].parent });
        break;
      case 'Enter': if (s.selected >= 0) this.onOpen(s.selected); break;
      default: return;
    }
    e.preventDefault();
  }
}
