/**
 * The two traces side by side, each as a compact waterfall on a canvas (one line per span, squeezed to
 * fit): the selected node's spans are drawn in the accent colour in both, so where a call moved, grew
 * or appeared shows at a glance. A click on a span selects its node.
 */
import type { CompareSideView } from '../../shared/compareProtocol';
import { el, formatDuration } from '../format';
import type { State, Store } from './store';

const MAX_ROW_H = 8;

export class SideBySide {
  readonly element: HTMLElement;
  private readonly panes: Array<{ side: 'a' | 'b'; title: HTMLElement; canvas: HTMLCanvasElement }>;

  constructor(private readonly store: Store) {
    this.panes = (['a', 'b'] as const).map((side) => ({ side, title: el('div', { class: 'sidetitle' }), canvas: el('canvas', { class: 'overview', 'aria-hidden': 'true' }) }));
    this.element = el('section', { id: 'sidebyside', 'aria-label': 'The two traces side by side' }, ...this.panes.map((p) => el('div', { class: 'side' }, p.title, p.canvas)));
    for (const p of this.panes) p.canvas.addEventListener('mousedown', (e) => this.pick(p.side, p.canvas, e));
    store.subscribe(() => this.render());
    window.addEventListener('resize', () => this.render());
  }

  render(): void {
    const s = this.store.get();
    // As tall as the longer trace needs at full row height, up to 160 px: a small trace leaves no void.
    const rows = Math.max(s.data?.a.spanCount ?? 0, s.data?.b.spanCount ?? 0);
    this.element.style.height = `${Math.min(160, Math.max(56, rows * MAX_ROW_H + 28))}px`;
    for (const p of this.panes) {
      const v = s.data?.[p.side];
      p.title.textContent = v ? `${v.label} — trace ${v.traceId}, ${v.spanCount} span${v.spanCount === 1 ? '' : 's'}, ${formatDuration(v.durationUs)}` : '';
      if (v) draw(p.canvas, v, s, Math.max(s.data!.a.durationUs, s.data!.b.durationUs));
    }
  }

  private pick(side: 'a' | 'b', canvas: HTMLCanvasElement, e: MouseEvent): void {
    const v = this.store.get().data?.[side];
    if (!v || !v.spanCount) return;
    const rect = canvas.getBoundingClientRect();
    const rowH = rowHeight(rect.height, v.spanCount);
    const row = Math.min(v.spanCount - 1, Math.floor((e.clientY - rect.top) / rowH));
    if (row >= 0) this.store.set({ selected: v.node[row] });
  }
}

function rowHeight(height: number, rows: number): number {
  return Math.min(MAX_ROW_H, height / Math.max(1, rows));
}

/** Both sides share one time scale (the longer trace's), so a slower trace is visibly longer. */
function draw(canvas: HTMLCanvasElement, v: CompareSideView, s: State, scaleUs: number): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.max(1, Math.round(w * dpr));
  canvas.height = Math.max(1, Math.round(h * dpr));
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const css = getComputedStyle(document.body);
  const colour = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  const muted = colour('--span', '#5a7ca8');
  const accent = colour('--accent', '#ffb000');
  const error = colour('--error', '#f14c4c');
  const rowH = rowHeight(h, v.spanCount);
  const x = (us: number): number => (w * us) / Math.max(1, scaleUs);
  for (let r = 0; r < v.spanCount; r++) {
    const selected = v.node[r] === s.selected;
    ctx.fillStyle = selected ? accent : v.error[r] ? error : muted;
    ctx.globalAlpha = selected || s.selected < 0 ? 1 : 0.45;
    ctx.fillRect(x(v.start[r]), r * rowH, Math.max(1, x(v.duration[r])), Math.max(1, rowH - (rowH > 3 ? 1 : 0)));
  }
  ctx.globalAlpha = 1;
}
