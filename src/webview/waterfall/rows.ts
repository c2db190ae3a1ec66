/**
 * The span rows: a virtualized list on the shared time axis. Only the rows in view exist in the DOM
 * (a fixed pool, repositioned on scroll), so 100,000 spans scroll like 100. Everything from span
 * data is written with textContent.
 */
import { el, formatDuration } from '../format';
import { visiblePos, type Change, type View, type WaterfallStore } from './store';

export const ROW_H = 22;
const OVERSCAN = 8;
const PALETTE = 10;
/** Indent up to this many levels; deeper rows say their level instead of running out of the column. */
const MAX_INDENT = 24;

export class RowList {
  /** The scrolling list (#rows), a tree for screen readers. */
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  /**
   * What each pool slot shows, so a frame rewrites only the slots whose row or look changed. Slots are
   * assigned by position modulo the pool size: while scrolling, a row keeps its slot, and only the few
   * rows entering the view are written (rewriting every visible row each frame made long tasks at 100k).
   */
  private readonly slotSignature: string[] = [];
  /** The next selection came from a click in the list: it is on screen, so do not scroll to it. */
  private selectionFromClick = false;

  constructor(private readonly store: WaterfallStore) {
    this.spacer = el('div', { id: 'spacer' });
    this.element = el('div', { id: 'rows', tabindex: '0', role: 'tree', 'aria-label': 'Spans', 'aria-multiselectable': 'false' }, this.spacer);
    this.element.addEventListener('scroll', () => requestAnimationFrame(() => this.render()), { passive: true });
    store.subscribe((v, changed) => this.update(v, changed));
  }

  /** How many rows a page is (PageUp/PageDown). */
  get pageRows(): number {
    return Math.max(1, Math.floor(this.element.clientHeight / ROW_H) - 1);
  }

  /** Select a row as a click does: it is on screen already, so no scrolling. */
  private selectByClick(r: number): void {
    this.selectionFromClick = true;
    try {
      this.store.select(r);
    } finally {
      this.selectionFromClick = false;
    }
  }

  private update(v: View, changed: ReadonlySet<Change>): void {
    if (changed.has('trace')) {
      this.slotSignature.length = 0; // another trace: every slot is stale
      this.setHeight(v);
      return; // drawn when its first screen of rows arrives
    }
    if (changed.has('complete')) this.slotSignature.length = 0; // sibling counts changed every row's accessible description
    if (changed.has('visible')) this.setHeight(v);
    if (changed.has('selection') && !this.selectionFromClick) this.scrollToRow(v, v.selected);
    this.render();
  }

  private setHeight(v: View): void {
    this.spacer.style.height = `${v.visibleCount * ROW_H}px`;
    // When the list shrinks under a deep scroll position (collapse all, matches only), the browser
    // clamps scrollTop only at its next layout and redraws on the scroll event after that; until then
    // render() would draw the rows of a position that no longer exists, an empty pane.
    const maxTop = Math.max(0, v.visibleCount * ROW_H - this.element.clientHeight);
    if (this.element.scrollTop > maxTop) this.element.scrollTop = maxTop;
  }

  private scrollToRow(v: View, r: number): void {
    const pos = visiblePos(v, r);
    if (pos < 0) return;
    const rows = this.element;
    const top = pos * ROW_H;
    if (top < rows.scrollTop) rows.scrollTop = top;
    else if (top + ROW_H > rows.scrollTop + rows.clientHeight) rows.scrollTop = top + ROW_H - rows.clientHeight;
  }

  private makeRow(): HTMLDivElement {
    const row = el('div', { class: 'row', role: 'treeitem' },
      el('div', { class: 'label' }, el('span', { class: 'twisty' }), el('span', { class: 'chip' }), el('span', { class: 'svc' }), el('span', { class: 'name' }), el('span', { class: 'flags' })),
      el('div', { class: 'lane' }, el('div', { class: 'bar' }), el('span', { class: 'dur' })),
    );
    row.addEventListener('mousedown', (e) => {
      const r = Number(row.dataset.row);
      if (!this.store.view || Number.isNaN(r)) return;
      if ((e.target as HTMLElement).classList.contains('twisty')) this.store.toggle(r);
      this.selectByClick(r);
      e.preventDefault();
      this.element.focus();
    });
    row.addEventListener('dblclick', () => {
      const r = Number(row.dataset.row);
      if (!Number.isNaN(r)) this.store.toggle(r);
    });
    this.spacer.append(row);
    return row;
  }

  /** Draw the rows in view (hidden while the flame graph takes their place; drawn again when shown). */
  render(): void {
    const v = this.store.view;
    if (!v || this.element.hidden) return;
    const d = v.data;
    const pool = this.pool;
    const top = this.element.scrollTop;
    const height = this.element.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(v.visibleCount, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    while (pool.length < last - first) pool.push(this.makeRow());
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
      if (this.slotSignature[k] === sig) continue;
      this.slotSignature[k] = sig;
      row.style.display = '';
      row.style.transform = `translateY(${pos * ROW_H}px)`;
      row.dataset.row = String(r);
      this.write(row, v, r, span);
    }
    for (let k = 0; k < n; k++) {
      if (used[k] || pool[k].style.display === 'none') continue;
      pool[k].style.display = 'none';
      delete pool[k].dataset.row;
      this.slotSignature[k] = '';
    }
    this.element.setAttribute('aria-activedescendant', v.selected >= 0 ? `row-${v.selected}` : '');
  }

  /** One row's content: its tree place for screen readers, label, flags, bar, event marks and duration. */
  private write(row: HTMLDivElement, v: View, r: number, span: number): void {
    const d = v.data;
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
    row.className = `row${r === v.selected ? ' selected' : ''}${v.matchSet.has(r) ? ' match' : ''}${d.error(r) ? ' error' : ''}${v.showCritical && d.critical(r) ? ' critical' : ''}${v.showCritical && !d.critical(r) ? ' dim' : ''}${arrived ? '' : ' pending'}`;
    const [label, lane] = row.children as unknown as [HTMLDivElement, HTMLDivElement];
    label.style.paddingLeft = `${4 + Math.min(d.depth[r], MAX_INDENT) * 12}px`;
    const [twisty, chip, svc, name, flags] = label.children as unknown as HTMLSpanElement[];
    twisty.textContent = hasKids ? (v.collapsed[r] ? '▸' : '▾') : '';
    // A row still on its way has no service, bar or duration yet: nothing to draw but its placeholder name.
    const color = arrived ? `svc-${d.service[r] % PALETTE}` : 'none';
    chip.className = `chip ${color}`;
    svc.textContent = arrived ? d.services[d.service[r]] || '?' : '';
    name.textContent = arrived ? (d.depth[r] > MAX_INDENT ? `[${d.depth[r]}] ` : '') + (d.name[r] || '(unnamed)') : 'loading…';
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
}
